/**
 * Pinned real-n8n runtimes for the end-to-end scripts (`npm run demo`, `npm run dev`, `npm run test:e2e`).
 *
 *   tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]      (npm run runtimes -- n8n2)
 *
 * Each runtime is installed from the npm registry into a cache OUTSIDE the repository:
 *   ${OFAUTH_N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-ofauth-vault-plus}/<runtime dir>/
 * and reused while its completion marker says it is complete and matches the pinned versions.
 *
 * This file is the public door (the API below and the CLI); the work lives in ./runtime/:
 * specs.ts (what is pinned, where it goes), ensure.ts (cache or install), install.ts (the npm steps),
 * marker.ts, lock.ts, steps.ts (child processes), progress.ts, disk.ts, format.ts.
 *
 * See ../shared/real-n8n-testing.md for the measurements behind these choices.
 */
import { ensureRuntime } from './runtime/ensure';
import { formatDuration } from './runtime/format';
import { cacheRoot, RUNTIME_NAMES, type RuntimeName } from './runtime/specs';

export { ensureRuntime, type EnsureRuntimeOptions } from './runtime/ensure';
export { formatBytes, formatDuration } from './runtime/format';
export { cacheRoot, RUNTIME_NAMES, runtimeDir, type N8nRuntime, type RuntimeName } from './runtime/specs';

async function main(argv: string[]): Promise<void> {
	const force = argv.includes('--force');
	const positional = argv.filter((a) => !a.startsWith('--'));
	const which = positional[0] ?? 'all';
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log('usage: tsx scripts/n8n-runtime.ts [n8n2|n8n1|all] [--force]');
		console.log(`cache: ${cacheRoot()} (set OFAUTH_N8N_CACHE_DIR to move it)`);
		return;
	}
	let names: RuntimeName[];
	if (which === 'all') names = [...RUNTIME_NAMES];
	else if ((RUNTIME_NAMES as readonly string[]).includes(which)) names = [which as RuntimeName];
	else throw new Error(`unknown runtime "${which}"; expected n8n2, n8n1 or all`);

	// One after the other: two installs at once only fight over the two cores and the network.
	for (const name of names) {
		const started = Date.now();
		const runtime = await ensureRuntime(name, { force });
		console.log(
			`${runtime.name}: n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} ready (${formatDuration(Date.now() - started)})\n` +
				`  run: ${runtime.nodeBin} ${runtime.n8nMain} <command>\n` +
				`  env: ${Object.entries(runtime.env)
					.filter(([k]) => k !== 'PATH')
					.map(([k, v]) => `${k}=${v}`)
					.join(' ') || '(PATH only)'}`,
		);
	}
}

if (typeof require !== 'undefined' && require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
