/**
 * `npm run bench:peer`: the fan-out job in real n8n 2.41.1 (the e2e runtime), once by the Vault+ Sync
 * node and once by n8n's HTTP Request node configured as a user would, against the same sandbox in
 * the same run. Prints a table and writes it to BENCHMARKS.md.
 */
import path from 'node:path';

import { createUserFolder, packPackage, type N8nRunLike } from '../scripts/n8n-instance';
import { ensureRuntime } from '../scripts/n8n-runtime';
import { CREDENTIAL, sandboxCredential, SANDBOX_API_KEY } from '../scripts/demo/workflows';
import { fanOutSeed } from '../test/harness/seeds';
import { startSandbox, type Sandbox } from '../test/sandbox/server';
import { consoleTable, machineLine, markdownTable, writeSection } from './report';

const LATENCY_MS = 100;
const { seed, targets } = fanOutSeed(20, 10);

function fanOutWorkflow(id: string, name: string, syncNode: Record<string, unknown>) {
	const listsCode = `return ${JSON.stringify(targets.map((target) => ({ json: target })))};`;
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: `${id}-c`, name: 'Lists', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: listsCode } },
			{ id: `${id}-s`, name: 'Sync', position: [400, 0], ...syncNode },
		],
		connections: {
			Start: { main: [[{ node: 'Lists', type: 'main', index: 0 }]] },
			Lists: { main: [[{ node: 'Sync', type: 'main', index: 0 }]] },
		},
	};
}

const ours = fanOutWorkflow('benchVaultPlus01', 'Fan-out by Vault+ Sync', {
	type: 'CUSTOM.vaultPlusSync',
	typeVersion: 1,
	parameters: {
		connectionId: { __rl: true, mode: 'id', value: '={{ $json.connectionId }}' },
		listId: { __rl: true, mode: 'id', value: '={{ $json.listId }}' },
		options: {},
	},
	credentials: { ofAuthApi: CREDENTIAL },
});

const peer = (baseUrl: string) =>
	fanOutWorkflow('benchHttpPeer001', 'Fan-out by HTTP Request', {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'PUT',
			url: `=${baseUrl}/v2/vault-plus/lists/{{ $json.listId }}/sync`,
			sendHeaders: true,
			headerParameters: {
				parameters: [
					{ name: 'apiKey', value: SANDBOX_API_KEY },
					{ name: 'x-connection-id', value: '={{ $json.connectionId }}' },
				],
			},
			options: {},
		},
	});

interface Measured {
	label: string;
	exitCode: number | null;
	nodeMs: number | undefined;
	items: number;
	failed: string;
	stats: ReturnType<Sandbox['stats']>;
}

function summarise(run: N8nRunLike | undefined): { nodeMs?: number; items: number; error?: string } {
	const task = run?.data.resultData.runData.Sync?.[0] as { executionTime?: number } | undefined;
	const items = run?.data.resultData.runData.Sync?.[0]?.data?.main?.[0] ?? [];
	const error = run?.data.resultData.error?.message;
	return { nodeMs: task?.executionTime, items: items.length, error: typeof error === 'string' ? error : undefined };
}

async function main() {
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	const runtime = await ensureRuntime('n8n2', { log });
	const tarball = await packPackage(path.resolve(__dirname, '..'), { log });
	const sandbox = await startSandbox({ seed, latency: { syncMs: LATENCY_MS } });
	const instance = await createUserFolder(runtime, tarball, { log });
	try {
		await instance.importCredentials([sandboxCredential(sandbox.url)]);
		await instance.importWorkflows([ours, peer(sandbox.url)]);
		const results: Measured[] = [];
		for (const bucket of [undefined, { capacity: 3, refillPerSecond: 5 }]) {
			for (const [label, id] of [
				['Vault+ Sync (defaults)', ours.id],
				['HTTP Request (defaults)', 'benchHttpPeer001'],
			] as const) {
				sandbox.admin.reset();
				if (bucket) sandbox.admin.setRateLimit({ ...bucket, retryAfter: true });
				const result = await instance.execute(id);
				const summary = summarise(result.run);
				const stats = sandbox.stats();
				const failedSyncs = sandbox.requests().filter((request) => request.method === 'PUT' && request.status !== 200).length;
				results.push({
					label: `${label}${bucket ? `, bucket ${bucket.capacity} + ${bucket.refillPerSecond}/s` : ''}`,
					exitCode: result.exitCode,
					nodeMs: summary.nodeMs,
					items: summary.items,
					failed: summary.error
						? `workflow failed: ${summary.error.slice(0, 60)} (${failedSyncs} syncs refused)`
						: `${targets.length - summary.items} items (${failedSyncs} syncs refused)`,
					stats,
				});
				log(`${label}: exit ${result.exitCode}, node ${summary.nodeMs} ms`);
			}
		}
		const rows = [
			['job: 200 syncs, 20 connections × 10 lists, 100 ms each', 'node time', 'failed', 'most in flight', 'same-connection overlaps', 'same-list overlaps'],
			...results.map((entry) => [
				entry.label,
				entry.nodeMs === undefined ? '-' : `${(entry.nodeMs / 1000).toFixed(2)} s`,
				entry.failed,
				String(entry.stats.maxInFlight),
				String(entry.stats.sameConnectionOverlaps),
				String(entry.stats.sameListSyncOverlaps),
			]),
		];
		console.log(`\n${consoleTable(rows)}`);
		writeSection(
			'peer',
			`## Against n8n's HTTP Request node, in real n8n (\`npm run bench:peer\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; n8n ${runtime.n8nVersion} on Node
${runtime.nodeVersion}, the package loaded from the packed tarball. Both workflows are Manual Trigger →
Code (the 200 items) → the sync node, run with \`n8n execute\` against the same sandbox (100 ms per sync),
one after the other. The HTTP Request node is set up as a user would: PUT, the \`apiKey\` and
\`x-connection-id\` headers, default options. "Node time" is n8n's own execution time of that node; the
overlap counts come from the sandbox. The second pair adds a per-connection token bucket (burst 3,
5 tokens a second, Retry-After on).

${markdownTable(rows)}
`,
		);
		console.log('\nwritten to BENCHMARKS.md');
	} finally {
		await instance.cleanup();
		await sandbox.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
