import type { IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

/** What Sync All Lists set out to do: its syncs, and with All Active Connections the connections it found. */
export interface SyncPlan {
	syncs: number;
	connections?: number;
}

function nothingToSync(plan: SyncPlan): string {
	if (plan.connections === undefined) {
		return "Sync All Lists found no vault list to sync: no list of the connection matched 'List Types' and 'Name Filter'";
	}
	if (plan.connections === 0) {
		return "Sync All Lists found no connection to sync: the API key has no connections, or none matched 'Connection Filter'";
	}
	return "Sync All Lists found no vault list to sync: no list of the connections matched 'List Types' and 'Name Filter'";
}

/**
 * Hints n8n shows on the node's output: nothing to sync, results output with `synced` false,
 * connections skipped. n8n 1.x and 2.x have addExecutionHints; a host without it gets none.
 */
export function withHints(context: IExecuteFunctions, output: INodeExecutionData[][], plan: SyncPlan | undefined): INodeExecutionData[][] {
	const items = output[0];
	const unsynced = items.filter((item) => item.json.synced === false).length;
	// Several input items may name the same connection: it is one connection to reconnect.
	const skipped = new Set(items.filter((item) => item.json.skipped === true).map((item) => item.json.connectionId)).size;
	const failed = items.filter((item) => typeof item.json.error === 'string').length;
	const hints: NodeExecutionHint[] = [];
	if (plan?.syncs === 0 && skipped === 0 && failed === 0) {
		hints.push({ message: nothingToSync(plan), type: 'info', location: 'outputPane' });
	}
	if (unsynced > 0) {
		hints.push({
			message: `${unsynced} result${unsynced === 1 ? ' has' : 's have'} 'synced' false: OFAuth did not complete ${unsynced === 1 ? 'that sync' : 'those syncs'}. They were output because 'Output Unsynced Results' is on; run again later.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	if (skipped > 0) {
		hints.push({
			message: `${skipped} connection${skipped === 1 ? ' was' : 's were'} skipped because ${skipped === 1 ? 'it needs' : 'they need'} reconnecting through OFAuth Link: see the items with 'skipped' true`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	if (hints.length > 0 && typeof context.addExecutionHints === 'function') context.addExecutionHints(...hints);
	return output;
}
