/**
 * `npm run bench:peer`: the fan-out job in real n8n 2.41.1 (the e2e runtime), once by the Vault+ Sync
 * node and once by n8n's HTTP Request node configured as a user would, against the same sandbox in
 * the same run; then the event loop inside n8n, in that run and under hostile answers. Prints the
 * tables and writes them to BENCHMARKS.md.
 */
import path from 'node:path';

import { createUserFolder, nodeOutput, packPackage, type N8nInstance, type N8nRunLike } from '../scripts/n8n-instance';
import { ensureRuntime } from '../scripts/n8n-runtime';
import { CREDENTIAL, sandboxCredential, SANDBOX_API_KEY } from '../scripts/demo/workflows';
import { fanOutSeed, type FanOutTarget } from '../test/harness/seeds';
import { startSandbox, type Sandbox } from '../test/sandbox/server';
import { consoleTable, machineLine, markdownTable, writeSection } from './report';
import { LOOP_TABLE_HEAD, loopRow, preloadEnv, type LoopDelay, READING_LOOP_DELAY, readPreloaded } from './event-loop';
import { HOSTILE_ANSWERS, HOSTILE_ITEMS, hostileFaults } from './hostile-answers';

const LATENCY_MS = 100;
const { seed, targets } = fanOutSeed(20, 10);
/** The last node of the Vault+ workflows asks the sandbox for this: the end of the event-loop watch. */
const END_PATH = '/__sandbox/stats';

interface BenchWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string } & Record<string, unknown>>;
	connections: Record<string, unknown>;
	[field: string]: unknown;
}

function fanOutWorkflow(id: string, name: string, syncNode: Record<string, unknown>, items: FanOutTarget[] = targets): BenchWorkflow {
	const listsCode = `return ${JSON.stringify(items.map((target) => ({ json: target })))};`;
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

const vaultPlusSync = (options: Record<string, number> = {}) => ({
	type: 'CUSTOM.vaultPlusSync',
	typeVersion: 1,
	parameters: {
		connectionId: { __rl: true, mode: 'id', value: '={{ $json.connectionId }}' },
		listId: { __rl: true, mode: 'id', value: '={{ $json.listId }}' },
		options,
	},
	credentials: { ofAuthApi: CREDENTIAL },
});

/** The workflow followed by one request for END_PATH, once the sync node is done. */
function withEndMark(workflow: BenchWorkflow, baseUrl: string): BenchWorkflow {
	const mark = { id: `${workflow.id}-m`, name: 'End', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [600, 0], executeOnce: true, parameters: { url: `${baseUrl}${END_PATH}`, options: {} } };
	return { ...workflow, nodes: [...workflow.nodes, mark], connections: { ...workflow.connections, Sync: { main: [[{ node: 'End', type: 'main', index: 0 }]] } } };
}

const ours = (baseUrl: string) => withEndMark(fanOutWorkflow('benchVaultPlus01', 'Fan-out by Vault+ Sync', vaultPlusSync()), baseUrl);

/** Where the warm workflows start the event-loop watch: after n8n has loaded what a first run needs. */
const START_PATH = '/__sandbox/requests';

/**
 * The same sync node twice: a warm-up run, a request for START_PATH, the same items again, the
 * measured run. n8n loads much of its own code the first time an execution needs it (error
 * handling among it), which blocks its event loop; the warm-up leaves that out of the measurement.
 */
function warmedUp(workflow: BenchWorkflow, baseUrl: string): BenchWorkflow {
	const sync = workflow.nodes.find((node) => node.name === 'Sync')!;
	const warmUp = { ...sync, id: `${workflow.id}-w`, name: 'Warm-up', position: [400, 200] };
	const mark = { id: `${workflow.id}-k`, name: 'Start watch', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [600, 200], executeOnce: true, parameters: { url: `${baseUrl}${START_PATH}`, options: {} } };
	const again = { id: `${workflow.id}-a`, name: 'Again', type: 'n8n-nodes-base.code', typeVersion: 2, position: [800, 200], parameters: { jsCode: "return $('Lists').all();" } };
	const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		...workflow,
		id: `${workflow.id.slice(0, -1)}W`,
		name: `${workflow.name}, warmed up`,
		nodes: [...workflow.nodes, warmUp, mark, again],
		connections: { ...workflow.connections, Lists: link('Warm-up'), 'Warm-up': link('Start watch'), 'Start watch': link('Again'), Again: link('Sync') },
	};
}

/** Each item fails on its own: continue-on-fail, no retries. */
const hostileSync = () =>
	fanOutWorkflow('benchHostile0001', 'Hostile answers to Vault+ Sync', { ...vaultPlusSync({ maxRetries: 0 }), onError: 'continueRegularOutput' }, targets.slice(0, HOSTILE_ITEMS));
const hostile = (baseUrl: string) => withEndMark(hostileSync(), baseUrl);
const hostileWarm = (baseUrl: string) => withEndMark(warmedUp(hostileSync(), baseUrl), baseUrl);
const oursWarm = (baseUrl: string) => withEndMark(warmedUp(fanOutWorkflow('benchVaultPlus01', 'Fan-out by Vault+ Sync', vaultPlusSync()), baseUrl), baseUrl);

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

/** `n8n execute` with the event loop watched inside the n8n process (./event-loop-preload.cjs). */
async function executeWatched(instance: N8nInstance, workflowId: string, startPath?: string) {
	const file = path.join(instance.userFolder, `event-loop-${workflowId}.json`);
	const result = await instance.execute(workflowId, { env: preloadEnv(file, END_PATH, startPath) });
	return { result, loop: readPreloaded(file) };
}

interface Measured {
	label: string;
	exitCode: number | null;
	nodeMs: number | undefined;
	items: number;
	failed: string;
	stats: ReturnType<Sandbox['stats']>;
	run: N8nRunLike | undefined;
	loop: LoopDelay | undefined;
}

function summarise(run: N8nRunLike | undefined): { nodeMs?: number; items: number; error?: string } {
	const task = run?.data.resultData.runData.Sync?.[0] as { executionTime?: number } | undefined;
	const items = run?.data.resultData.runData.Sync?.[0]?.data?.main?.[0] ?? [];
	const error = run?.data.resultData.error?.message;
	return { nodeMs: task?.executionTime, items: items.length, error: typeof error === 'string' ? error : undefined };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);

async function main() {
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	const runtime = await ensureRuntime('n8n2', { log });
	const tarball = await packPackage(path.resolve(__dirname, '..'), { log });
	const sandbox = await startSandbox({ seed, latency: { syncMs: LATENCY_MS } });
	const instance = await createUserFolder(runtime, tarball, { log });
	try {
		await instance.importCredentials([sandboxCredential(sandbox.url)]);
		await instance.importWorkflows([ours(sandbox.url), peer(sandbox.url), hostile(sandbox.url), oursWarm(sandbox.url), hostileWarm(sandbox.url)]);
		const results: Measured[] = [];
		for (const bucket of [undefined, { capacity: 3, refillPerSecond: 5 }]) {
			for (const [label, id] of [
				['Vault+ Sync (defaults)', 'benchVaultPlus01'],
				['HTTP Request (defaults)', 'benchHttpPeer001'],
			] as const) {
				sandbox.admin.reset();
				if (bucket) sandbox.admin.setRateLimit({ ...bucket, retryAfter: true });
				const { result, loop } = await executeWatched(instance, id);
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
					run: result.run,
					loop,
				});
				log(`${label}: exit ${result.exitCode}, node ${summary.nodeMs} ms`);
			}
		}
		const rows = [
			['job: 200 syncs, 20 connections × 10 lists, 100 ms each', 'node time', 'failed', 'most in flight', 'same-connection overlaps', 'same-list overlaps'],
			...results.map((entry) => [
				entry.label,
				seconds(entry.nodeMs),
				entry.failed,
				String(entry.stats.maxInFlight),
				String(entry.stats.sameConnectionOverlaps),
				String(entry.stats.sameListSyncOverlaps),
			]),
		];
		sandbox.admin.reset();
		for (const fault of hostileFaults()) sandbox.admin.addFault(fault);
		const bad = await executeWatched(instance, 'benchHostile0001');
		sandbox.admin.reset();
		const warm = await executeWatched(instance, 'benchVaultPlus0W', START_PATH);
		sandbox.admin.reset();
		for (const fault of [...hostileFaults(), ...hostileFaults()]) sandbox.admin.addFault(fault);
		const badWarm = await executeWatched(instance, 'benchHostile000W', START_PATH);
		const failedItems = (run: N8nRunLike | undefined) => nodeOutput(run, 'Sync').filter((json) => typeof json.error === 'string').length;
		const loopRows = [
			LOOP_TABLE_HEAD,
			loopRow(`${results[0].label}, 200 syncs, 20 connections, 100 ms`, results[0].loop, seconds(results[0].nodeMs), failedItems(results[0].run), targets.length),
			loopRow(`Vault+ Sync, hostile answers, ${HOSTILE_ITEMS} items, Max Retries 0`, bad.loop, seconds(summarise(bad.result.run).nodeMs), failedItems(bad.result.run), HOSTILE_ITEMS),
			loopRow('the fan-out again, after a warm-up run in the same execution', warm.loop, seconds(summarise(warm.result.run).nodeMs), failedItems(warm.result.run), targets.length),
			loopRow('the hostile answers again, after a warm-up run', badWarm.loop, seconds(summarise(badWarm.result.run).nodeMs), failedItems(badWarm.result.run), HOSTILE_ITEMS),
		];
		console.log(`\n${consoleTable(rows)}\n\n${consoleTable(loopRows)}`);
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

### The event loop inside n8n

${markdownTable(loopRows)}

${READING_LOOP_DELAY}

Measured inside the \`n8n execute\` process (a script preloaded through \`NODE_OPTIONS\`) from its first
outgoing request to the answer to a request made by a node after the sync node, so n8n's start and
shutdown are left out; the first row is the first run of the table above. "Time" is n8n's execution
time of the sync node. In the second row the node runs with continue-on-fail and every request gets a
hostile answer from the sandbox's fault queue, a fifth of the items each (below). The last two rows run
the same sync node twice in one execution and watch only the second run: n8n loads much of its own code
the first time an execution needs it (a CPU profile of the first rows, \`BENCH_CPU_PROF_DIR=<dir> npm
run bench:peer\`, shows module compilation as the largest item), and that blocks the event loop whatever
the node does; the warm rows show what the node's own work costs. In CPU profiles of these runs the node's own code (reading, cutting and checking answers) takes a
few milliseconds at a time; the longest busy stretches inside the watched window are n8n's garbage
collection and its expression engine (isolated-vm), which any node that evaluates per-item expressions
pays as well, and which vary from run to run by tens of milliseconds.

${HOSTILE_ANSWERS}
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
