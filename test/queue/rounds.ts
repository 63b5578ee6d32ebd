/**
 * One round of webhook calls against the queue-mode cluster, and what came of it: for each call,
 * the webhook's answer, the execution n8n stored (found by the tag in the request body), the node's
 * output in it, and the worker whose log says it ran it; plus the syncs the sandbox received.
 */
import axios from 'axios';

import type { SyncTarget } from '../../scripts/demo/story';
import { SYNC_NODE_NAME } from '../../scripts/demo/workflows';
import { until } from '../../scripts/process';
import { WEBHOOK_NODE_NAME, WEBHOOK_PATH, type QueueCluster } from '../../scripts/queue/cluster';
import type { ConcurrencyStats, LoggedRequest } from '../../sandbox/server';

export interface CallBody {
	connectionId: string;
	listId: string;
	tag: string;
}

export interface WebhookCall {
	body: CallBody;
	status: number;
	/** What the webhook answered: with responseMode lastNode, the last node's first item. */
	data: unknown;
}

export interface RoundExecution {
	tag: string;
	target: SyncTarget;
	call: WebhookCall;
	executionId: string;
	status: string;
	mode: string;
	/** The Vault+ Sync node's output items (json), as stored. */
	output: Array<Record<string, unknown>>;
	pairedItems: unknown[];
	/** Every worker whose log says it started this execution (one, when all is well). */
	workers: string[];
}

export interface Round {
	executions: RoundExecution[];
	/** Executions of the workflow stored since the previous round, whatever their tag. */
	newExecutionIds: string[];
	/** PUT …/sync requests the sandbox received during the round. */
	syncs: LoggedRequest[];
	/** The sandbox's concurrency statistics for the round (maxInFlight: syncs at once). */
	stats: ConcurrencyStats;
}

const SETTLE_TIMEOUT_MS = 30_000;
/** Executions seen in earlier rounds. */
const known = new Set<string>();

export async function runRound(cluster: QueueCluster, name: string, targets: SyncTarget[], opts: { sequential: boolean }): Promise<Round> {
	const { sandbox, workers } = cluster;
	sandbox.clearRequests();
	sandbox.admin.clearStats();
	const bodies: CallBody[] = targets.map((target, at) => ({
		connectionId: target.connectionId,
		listId: target.listId,
		tag: `${name}-${String(at + 1).padStart(2, '0')}`,
	}));
	const webhookUrl = `${cluster.server.url}/webhook/${WEBHOOK_PATH}`;
	const fire = async (body: CallBody): Promise<WebhookCall> => {
		const response = await axios.post(webhookUrl, body, { timeout: 120_000, validateStatus: () => true });
		return { body, status: response.status, data: response.data };
	};
	const calls: WebhookCall[] = [];
	if (opts.sequential) for (const body of bodies) calls.push(await fire(body));
	else calls.push(...(await Promise.all(bodies.map(fire))));

	// The answer comes when the job finished; the list and the logs may lag by a moment.
	const newIds = await until(`${targets.length} new executions`, SETTLE_TIMEOUT_MS, async () => {
		const ids = (await cluster.executionIds()).filter((id) => !known.has(id));
		return ids.length >= targets.length ? ids : undefined;
	});
	newIds.forEach((id) => known.add(id));
	await until('every new execution finished in a worker log', SETTLE_TIMEOUT_MS, () => {
		const finished = new Set(workers.flatMap((worker) => worker.finishedExecutions()));
		return newIds.every((id) => finished.has(id)) ? true : undefined;
	});
	const started = workers.map((worker) => ({ name: worker.name, ids: new Set(worker.startedExecutions()) }));
	const byTag = new Map<string, Omit<RoundExecution, 'tag' | 'target' | 'call'>>();
	for (const id of newIds) {
		const stored = await cluster.getExecution(id);
		const webhookItem = stored.data.resultData.runData[WEBHOOK_NODE_NAME]?.[0]?.data?.main?.[0]?.[0];
		const tag = String((webhookItem?.json.body as { tag?: unknown } | undefined)?.tag);
		const items = stored.data.resultData.runData[SYNC_NODE_NAME]?.[0]?.data?.main?.[0] ?? [];
		byTag.set(tag, {
			executionId: id,
			status: stored.status,
			mode: stored.mode,
			output: items.map((item) => item.json),
			pairedItems: items.map((item) => item.pairedItem),
			workers: started.filter((log) => log.ids.has(id)).map((log) => log.name),
		});
	}
	const executions = calls.map((call, at) => {
		const stored = byTag.get(call.body.tag);
		if (!stored) throw new Error(`No stored execution has the tag ${call.body.tag} (webhook answered ${call.status})`);
		return { tag: call.body.tag, target: targets[at], call, ...stored };
	});
	const syncs = sandbox.requests().filter((request) => request.method === 'PUT');
	return { executions, newExecutionIds: newIds, syncs, stats: sandbox.stats() };
}
