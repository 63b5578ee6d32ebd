/**
 * The pinned real-n8n runtimes of the end-to-end scripts (runtime/specs.ts says what is pinned):
 * `npm run runtimes` installs both, `npm run runtimes -- n8n2` one. Installed into a cache outside the
 * repository and reused while its completion marker matches the pins. proper-lockfile makes a parallel
 * run wait for the install in progress rather than start a second one.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import lockfile from 'proper-lockfile';

import { formatDuration, install } from './runtime/install';
import { cacheRoot, readCompleteRuntime, runtimeDir, SPECS, type N8nRuntime, type RuntimeName } from './runtime/specs';

export { formatDuration } from './runtime/install';
export type { N8nRuntime, RuntimeName } from './runtime/specs';

/** n8n 1.123.81 declares engines.node ">=20.19 <=24.x" and runs on the Node running this script. */
function checkSystemNode(name: RuntimeName): void {
	const [major, minor] = process.versions.node.split('.').map(Number);
	if (name === 'n8n1' && (major < 20 || (major === 20 && minor < 19) || major > 24)) {
		throw new Error(`[n8n1] n8n ${SPECS.n8n1.n8nVersion} needs Node >=20.19 <=24.x, but this runs on Node ${process.versions.node}`);
	}
}

/** The cached runtime (milliseconds), or installs it first (minutes); log gets progress lines (default stderr). */
export async function ensureRuntime(name: RuntimeName, opts: { log?: (line: string) => void } = {}): Promise<N8nRuntime> {
	const spec = SPECS[name];
	checkSystemNode(name);
	const cached = await readCompleteRuntime(spec);
	if (cached) return cached;

	const say = (line: string) => (opts.log ?? console.error)(`[${name}] ${line}`);
	const dir = runtimeDir(spec);
	await fsp.mkdir(path.dirname(dir), { recursive: true });
	// Refreshed every 10 s; a lock 2 minutes old is a dead process's, and taken over.
	const lock = { realpath: false, lockfilePath: `${dir}.lock`, stale: 120_000, update: 10_000 };
	if (await lockfile.check(dir, lock)) say(`waiting for another install to finish (lock ${dir}.lock)`);
	const release = await lockfile.lock(dir, { ...lock, retries: { retries: 3_600, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 } });
	try {
		// Another process may have finished it while this one waited.
		return (await readCompleteRuntime(spec)) ?? (await install(spec, say));
	} finally {
		await release();
	}
}

async function main(argv: string[]): Promise<void> {
	const { positionals } = parseArgs({ args: argv, allowPositionals: true });
	const which = positionals[0] ?? 'all';
	if (which !== 'all' && !Object.hasOwn(SPECS, which)) {
		throw new Error(`unknown runtime "${which}"; expected n8n2, n8n1 or all (cache: ${cacheRoot()})`);
	}
	// One after the other: two installs at once only fight over the cores and the network.
	for (const name of which === 'all' ? (['n8n2', 'n8n1'] as const) : [which as RuntimeName]) {
		const started = Date.now();
		const runtime = await ensureRuntime(name);
		const env = Object.entries(runtime.env).filter(([key]) => key !== 'PATH');
		console.log(
			`${name}: n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} ready (${formatDuration(Date.now() - started)})\n` +
				`  run: ${env.map(([key, value]) => `${key}=${value} `).join('')}${runtime.nodeBin} ${runtime.n8nMain} <command>`,
		);
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
