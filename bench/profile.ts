/**
 * Where a process spent its CPU in a window of its run: the self time of a V8 CPU profile
 * (node --cpu-prof) in that window, by function and the package it comes from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CpuProfile {
	nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** e.g. "n8n-workflow", "@n8n/expression-runtime", "node:net", "this package", "(garbage collector)". */
function origin(url: string): string {
	if (url === '') return '';
	// The innermost node_modules entry names the package (n8n's own runtime lives in a folder named after this one).
	const packaged = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (packaged) return packaged[1] === 'n8n-nodes-ofauth-vault-plus' ? 'this package' : packaged[1];
	return url.startsWith('node:') ? 'Node.js' : path.basename(url);
}

export interface ProfileEntry {
	what: string;
	ms: number;
}

/**
 * The `top` functions, and the `top` packages, by self time between startUs and endUs, and the total
 * sampled in that window.
 */
export function topInWindow(file: string, window: { startUs: number; endUs: number }, top: number): { total: number; entries: ProfileEntry[]; packages: ProfileEntry[] } {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
	const selfTime = new Map<string, number>();
	const byPackage = new Map<string, number>();
	let clock = profile.startTime;
	let total = 0;
	profile.samples.forEach((id, at) => {
		const delta = profile.timeDeltas[at] ?? 0;
		clock += delta;
		const frame = frames.get(id);
		if (!frame || clock < window.startUs || clock > window.endUs || frame.functionName === '(idle)') return;
		const from = origin(frame.url);
		const what = `${frame.functionName || '(anonymous)'}${from ? ` (${from})` : ''}`;
		selfTime.set(what, (selfTime.get(what) ?? 0) + delta / 1000);
		const where = from || frame.functionName;
		byPackage.set(where, (byPackage.get(where) ?? 0) + delta / 1000);
		total += delta / 1000;
	});
	const ranked = (times: Map<string, number>) => [...times.entries()].map(([what, ms]) => ({ what, ms })).sort((a, b) => b.ms - a.ms).slice(0, top);
	return { total, entries: ranked(selfTime), packages: ranked(byPackage) };
}

/** The newest profile a process wrote into `dir`. */
export function newestProfile(dir: string): string | undefined {
	const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort();
	return files.length ? path.join(dir, files[files.length - 1]) : undefined;
}
