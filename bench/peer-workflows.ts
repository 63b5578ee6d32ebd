/** The workflows `npm run bench:peer` runs in real n8n: one fan-out job, by each node that can do it. */
import { CREDENTIAL, SANDBOX_API_KEY } from '../scripts/demo/workflows';
import type { FanOutTarget } from '../sandbox/fan-out-seed';
import { HOSTILE_ITEMS } from './hostile-answers';

/** The last node of each workflow asks the sandbox for this: the end of the watched window. */
export const END_PATH = '/__sandbox/stats?window=end';
/** Each workflow asks for this just before its sync node runs: the start of the watched window. */
export const START_PATH = '/__sandbox/stats?window=start';

export interface BenchWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string } & Record<string, unknown>>;
	connections: Record<string, unknown>;
	[field: string]: unknown;
}

const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });

const request = (nodeId: string, nodeName: string, url: string, position: number[]) => ({
	id: nodeId, name: nodeName, type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position, executeOnce: true, parameters: { url, options: {} },
});

/**
 * Manual Trigger → Code (the items) → the sync node "Sync" → a request for END_PATH. Before "Sync", a
 * request for START_PATH opens the watched window, and a Merge node hands "Sync" the items once it is
 * answered: so the window holds all of the sync node's work, reading its parameters included.
 */
function fanOut(id: string, name: string, baseUrl: string, items: FanOutTarget[], syncNode: Record<string, unknown>): BenchWorkflow {
	const listsCode = `return ${JSON.stringify(items.map((target) => ({ json: target })))};`;
	const together = {
		id: `${id}-j`, name: 'Together', type: 'n8n-nodes-base.merge', typeVersion: 3, position: [400, 0],
		parameters: { mode: 'chooseBranch', chooseBranchMode: 'waitForAll', output: 'specifiedInput', useDataOfInput: 1 },
	};
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: `${id}-c`, name: 'Lists', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: listsCode } },
			request(`${id}-k`, 'Start watch', `${baseUrl}${START_PATH}`, [200, 200]),
			together,
			{ id: `${id}-s`, name: 'Sync', position: [600, 0], ...syncNode },
			request(`${id}-m`, 'End', `${baseUrl}${END_PATH}`, [800, 0]),
		],
		connections: {
			Start: link('Lists'),
			Lists: { main: [[{ node: 'Together', type: 'main', index: 0 }, { node: 'Start watch', type: 'main', index: 0 }]] },
			'Start watch': { main: [[{ node: 'Together', type: 'main', index: 1 }]] },
			Together: link('Sync'),
			Sync: link('End'),
		},
	};
}

/**
 * The same sync node once more, before the window opens: n8n loads much of its own code the first
 * time an execution needs it (error handling among it), which blocks its event loop; this warm-up
 * run leaves that out of the window.
 */
export function warmedUp(workflow: BenchWorkflow): BenchWorkflow {
	const sync = workflow.nodes.find((node) => node.name === 'Sync')!;
	const warmUp = { ...sync, id: `${workflow.id}-w`, name: 'Warm-up', position: [200, 400] };
	return {
		...workflow,
		id: `${workflow.id.slice(0, -1)}W`,
		name: `${workflow.name}, warmed up`,
		nodes: [...workflow.nodes, warmUp],
		connections: {
			...workflow.connections,
			Lists: { main: [[{ node: 'Together', type: 'main', index: 0 }, { node: 'Warm-up', type: 'main', index: 0 }]] },
			'Warm-up': link('Start watch'),
		},
	};
}

const vaultPlusSync = (options: Record<string, number> = {}, extra: Record<string, unknown> = {}) => ({
	type: 'CUSTOM.vaultPlusSync',
	typeVersion: 1,
	parameters: {
		connectionId: { __rl: true, mode: 'id', value: '={{ $json.connectionId }}' },
		listId: { __rl: true, mode: 'id', value: '={{ $json.listId }}' },
		options,
	},
	credentials: { ofAuthApi: CREDENTIAL },
	...extra,
});

/** The jobs measured three times each, with the number of syncs each runs at once (for the bound; none for the HTTP Request node, which keeps no schedule). */
export function fanOutJobs(baseUrl: string, targets: FanOutTarget[]) {
	const bare = (atOnce: number) => ({ type: 'CUSTOM.bareRequest', typeVersion: 1, parameters: { baseUrl, atOnce }, credentials: { ofAuthApi: CREDENTIAL } });
	const httpRequest = {
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
	};
	return [
		{ label: 'Vault+ Sync (defaults)', atOnce: 10, workflow: fanOut('benchVaultPlus01', 'Fan-out by Vault+ Sync', baseUrl, targets, vaultPlusSync()) },
		{ label: 'Vault+ Sync, Max Concurrent Requests 20', atOnce: 20, workflow: fanOut('benchVaultPlus20', 'Fan-out by Vault+ Sync, 20 at once', baseUrl, targets, vaultPlusSync({ maxConcurrent: 20 })) },
		{ label: "bare node: n8n's request helper only, 10 at once", atOnce: 10, workflow: fanOut('benchBareReq010', 'Fan-out by the request helper, 10 at once', baseUrl, targets, bare(10)) },
		{ label: "bare node: n8n's request helper only, 20 at once", atOnce: 20, workflow: fanOut('benchBareReq020', 'Fan-out by the request helper, 20 at once', baseUrl, targets, bare(20)) },
		{ label: 'HTTP Request node (defaults: all at once)', atOnce: undefined, workflow: fanOut('benchHttpPeer001', 'Fan-out by HTTP Request', baseUrl, targets, httpRequest) },
	];
}

/**
 * The event-loop jobs: the hostile one's requests all get hostile answers (continue-on-fail, no
 * retries), and warmed-up copies of it and of the fan-out.
 */
export function hostileWorkflows(baseUrl: string, targets: FanOutTarget[]) {
	const sync = vaultPlusSync({ maxRetries: 0 }, { onError: 'continueRegularOutput' });
	const hostile = fanOut('benchHostile0001', 'Hostile answers to Vault+ Sync', baseUrl, targets.slice(0, HOSTILE_ITEMS), sync);
	const fanOutWarm = warmedUp(fanOut('benchVaultPlus0X', 'Fan-out by Vault+ Sync', baseUrl, targets, vaultPlusSync()));
	return { hostile, hostileWarm: warmedUp(hostile), fanOutWarm };
}
