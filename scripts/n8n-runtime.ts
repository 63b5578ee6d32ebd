/**
 * Pinned real-n8n runtimes for the end-to-end scripts: `tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]`
 * (npm run runtimes -- n8n2). Each is installed from the npm registry into a cache outside the
 * repository (cacheRoot() in runtime/specs.ts, which says what is pinned and why; runtime/install.ts
 * installs it) and reused while its completion marker matches the pinned versions. One install of a
 * runtime runs at a time across processes: proper-lockfile's lock, taken over from a process that died.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import lockfile from 'proper-lockfile';

import { install } from './runtime/install';
import {
	cacheRoot,
	checkNodeRange,
	formatDuration,
	markerPath,
	readCompleteRuntime,
	RUNTIME_NAMES,
	runtimeDir,
	SPECS,
	type N8nRuntime,
	type RuntimeName,
	type RuntimeSpec,
} from './runtime/specs';

export { formatDuration, type N8nRuntime, type RuntimeName } from './runtime/specs';

/** log: progress lines (default console.error); force: wipe and reinstall even a complete install. */
type EnsureRuntimeOptions = { log?: (line: string) => void; force?: boolean };

// Callers in one process (test files, demo steps) share a single install rather than queueing on the lock.
const inFlight = new Map<RuntimeName, Promise<N8nRuntime>>();

/** Installs the runtime if needed (minutes), or returns the complete cached one (milliseconds). */
export function ensureRuntime(name: RuntimeName, opts: EnsureRuntimeOptions = {}): Promise<N8nRuntime> {
	if (!SPECS[name]) throw new Error(`Unknown n8n runtime "${String(name)}"; expected one of ${RUNTIME_NAMES.join(', ')}`);
	const pending = inFlight.get(name);
	if (pending && !opts.force) return pending;
	const promise = ensureUncached(SPECS[name], opts);
	inFlight.set(name, promise);
	promise.catch(() => inFlight.delete(name));
	return promise;
}

async function ensureUncached(spec: RuntimeSpec, opts: EnsureRuntimeOptions): Promise<N8nRuntime> {
	const say = (line: string) => (opts.log ?? console.error)(`[${spec.name}] ${line}`);
	checkNodeRange(spec);
	const dir = runtimeDir(spec.name);
	const cached = opts.force ? undefined : await readCompleteRuntime(spec, dir);
	if (cached) return cached;

	await fsp.mkdir(path.dirname(dir), { recursive: true });
	// Refreshed every 10 s; taken over when 2 minutes old, the lock of a process that died.
	const lock = { realpath: false, lockfilePath: `${dir}.lock`, stale: 120_000, update: 10_000 };
	if (await lockfile.check(dir, lock)) say(`waiting for another install to finish (lock ${dir}.lock)`);
	const release = await lockfile.lock(dir, { ...lock, retries: { retries: 3_600, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 } });
	try {
		// Another process may have finished it while we waited for the lock.
		const ready = opts.force ? undefined : await readCompleteRuntime(spec, dir);
		if (ready) return ready;
		await install(spec, dir, say, opts.force === true);
		const installed = await readCompleteRuntime(spec, dir);
		if (!installed) throw new Error(`[${spec.name}] install finished but ${markerPath(dir)} does not check out`);
		return installed;
	} finally {
		await release();
	}
}

async function main(argv: string[]): Promise<void> {
	const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
	if (values.help) {
		console.log('usage: tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]');
		return console.log(`cache: ${cacheRoot()} (set OFAUTH_N8N_CACHE_DIR to move it)`);
	}
	const which = positionals[0] ?? 'all';
	if (which !== 'all' && !(RUNTIME_NAMES as readonly string[]).includes(which)) throw new Error(`unknown runtime "${which}"; expected n8n2, n8n1 or all`);
	// One after the other: two installs at once only fight over the two cores and the network.
	for (const name of which === 'all' ? RUNTIME_NAMES : [which as RuntimeName]) {
		const started = Date.now();
		const runtime = await ensureRuntime(name, { force: values.force });
		const env = Object.entries(runtime.env).filter(([key]) => key !== 'PATH');
		console.log(
			`${runtime.name}: n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} ready (${formatDuration(Date.now() - started)})\n` +
				`  run: ${runtime.nodeBin} ${runtime.n8nMain} <command>\n` +
				`  env: ${env.map(([key, value]) => `${key}=${value}`).join(' ') || '(PATH only)'}`,
		);
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
