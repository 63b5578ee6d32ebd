/**
 * The packed package on n8n 2.41.1 in queue mode: Redis, PostgreSQL, a main that takes production
 * webhooks and two workers that run them, each with the package in its own ~/.n8n/custom. Twenty
 * webhook executions (five one after the other, fifteen at once), then ten more with one worker
 * stopped. Which worker ran an execution is read from the workers' logs ("Worker started execution
 * <id>"); what it output, from the execution n8n stored.
 */
import { DEMO_TARGETS, predictRun, type ListChange, type SyncTarget } from '../../scripts/demo/story';
import type { Sandbox } from '../../sandbox/server';
import { startQueueCluster, type QueueCluster } from '../../scripts/queue/cluster';
import { CONCURRENT_ROUND_CHANGES, TRAVEL, LISTS, ONE_WORKER_ROUND_CHANGES, roundRobin } from './plan';
import { canonicalOrder, listKey, predictPerList, type NodeItem } from './predict';
import { runRound, type Round } from './rounds';

/** apt-get (when redis-server or postgresql is missing), PostgreSQL migrations, three n8n boots. */
const SETUP_TIMEOUT_MS = 15 * 60_000;
const say = (line: string) => process.stderr.write(`[queue] ${line}\n`);

function applyChanges(sandbox: Sandbox, changes: ListChange[]): void {
	for (const change of changes) sandbox.admin.patchListMedia(change.connectionId, change.listId, change.patch);
}

function expectEverySucceeded(round: Round): void {
	for (const execution of round.executions) {
		const seen = { tag: execution.tag, executionId: execution.executionId };
		expect({ ...seen, http: execution.call.status, status: execution.status, mode: execution.mode }).toEqual({
			...seen,
			http: 200,
			status: 'success',
			mode: 'webhook',
		});
		// One item per call, paired to the webhook's item; the webhook answered with it (lastNode).
		expect(execution.output).toHaveLength(1);
		expect(execution.pairedItems).toEqual([{ item: 0 }]);
		expect(execution.call.data).toEqual(execution.output[0]);
	}
}

/** Every list's outputs match the prediction for its syncs, whichever execution got which. */
function expectPerListCounts(round: Round, predicted: Map<string, NodeItem[]>): void {
	const actual = new Map<string, Array<Record<string, unknown>>>();
	for (const execution of round.executions) {
		const key = listKey(execution.target);
		actual.set(key, [...(actual.get(key) ?? []), ...execution.output]);
	}
	expect([...actual.keys()].sort()).toEqual([...predicted.keys()].sort());
	for (const [key, items] of predicted) {
		expect({ list: key, items: canonicalOrder(actual.get(key) ?? []) }).toEqual({ list: key, items: canonicalOrder(items) });
	}
}

/** Exactly one PUT per execution, per list, each with a valid key and answered 200. */
function expectOneSyncPerExecution(round: Round, targets: SyncTarget[]): void {
	const count = (keys: string[]) => keys.reduce<Record<string, number>>((acc, key) => ({ ...acc, [key]: (acc[key] ?? 0) + 1 }), {});
	expect(round.newExecutionIds).toHaveLength(targets.length);
	expect(count(round.syncs.map((sync) => `${sync.connectionId}/${sync.path}`))).toEqual(
		count(targets.map((target) => `${target.connectionId}//v2/vault-plus/lists/${target.listId}/sync`)),
	);
	expect(round.syncs.every((sync) => sync.apiKeyValid && sync.status === 200)).toBe(true);
}

function report(name: string, round: Round): void {
	const perWorker = new Map<string, number>();
	for (const execution of round.executions) for (const worker of execution.workers) perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
	say(
		`${name}: ${round.executions.length} executions, by worker ${JSON.stringify(Object.fromEntries(perWorker))}, ` +
			`${round.syncs.length} syncs, at most ${round.stats.maxInFlight} at once`,
	);
}

describe('the package on n8n queue mode (Redis, PostgreSQL, a main and two workers)', () => {
	let cluster: QueueCluster;
	const twoWorkerRounds: Round[] = [];

	beforeAll(async () => {
		cluster = await startQueueCluster({ workers: 2, syncLatencyMs: 200, log: say });
		cluster.sandbox.admin.setVaultPlus(TRAVEL.connectionId, true);
	}, SETUP_TIMEOUT_MS);

	afterAll(async () => {
		await cluster?.stop();
	}, 120_000);

	it('syncs each list once, one execution after the other, with the output of the single-process e2e', async () => {
		const { sandbox } = cluster;
		const e2eExpected = predictRun(sandbox.state, DEMO_TARGETS).map((counts, at) => ({
			...counts,
			connectionId: DEMO_TARGETS[at].connectionId,
		}));
		// One after the other, so in this order: Beach Set's first sync adds what Best Of then adopts.
		const predicted = predictPerList(sandbox.state, LISTS, { inOrder: true });

		const round = await runRound(cluster, 'one-by-one', LISTS, { sequential: true });
		twoWorkerRounds.push(round);
		report('one by one', round);

		expectEverySucceeded(round);
		expectPerListCounts(round, predicted);
		const outputOf = (target: SyncTarget) => round.executions.find((e) => listKey(e.target) === listKey(target))?.output[0];
		// The assertion of test/e2e/suite.ts on its first run, for the same four lists.
		expect(DEMO_TARGETS.map(outputOf)).toEqual(e2eExpected);
		expect(outputOf(TRAVEL)).toEqual({ ...predicted.get(listKey(TRAVEL))?.[0] });
		expect(round.stats.maxInFlight).toBe(1);
	});

	it('runs fifteen executions at once with the counts the sandbox model predicts for each list', async () => {
		const { sandbox } = cluster;
		applyChanges(sandbox, CONCURRENT_ROUND_CHANGES);
		const targets = roundRobin(LISTS, 3);
		const predicted = predictPerList(sandbox.state, targets);

		const round = await runRound(cluster, 'at-once', targets, { sequential: false });
		twoWorkerRounds.push(round);
		report('at once', round);

		expectEverySucceeded(round);
		expectPerListCounts(round, predicted);
		expectOneSyncPerExecution(round, targets);
	});

	it('spread the twenty executions over both workers, each run by exactly one worker', () => {
		const executions = twoWorkerRounds.flatMap((round) => round.executions);
		expect(executions).toHaveLength(20);
		for (const execution of executions) {
			expect({ executionId: execution.executionId, workers: execution.workers.length }).toEqual({
				executionId: execution.executionId,
				workers: 1,
			});
		}
		const byWorker = (name: string) => executions.filter((execution) => execution.workers[0] === name).length;
		const [first, second] = cluster.workers;
		expect(byWorker(first.name)).toBeGreaterThan(0);
		expect(byWorker(second.name)).toBeGreaterThan(0);
		expect(byWorker(first.name) + byWorker(second.name)).toBe(20);
		expect(new Set(executions.map((execution) => execution.executionId)).size).toBe(20);
	});

	it('lost and doubled nothing: one stored execution and one sync per webhook call', () => {
		const [oneByOne, atOnce] = twoWorkerRounds;
		expectOneSyncPerExecution(oneByOne, LISTS);
		expectOneSyncPerExecution(atOnce, roundRobin(LISTS, 3));
	});

	it('with one worker stopped, the other runs the next ten executions alone', async () => {
		const { sandbox, workers } = cluster;
		const [stopped, remaining] = workers;
		const ranBefore = stopped.startedExecutions();
		await stopped.stop();
		expect(stopped.exited()).toBe(true);

		applyChanges(sandbox, ONE_WORKER_ROUND_CHANGES);
		const targets = roundRobin(LISTS, 2);
		const predicted = predictPerList(sandbox.state, targets);
		const round = await runRound(cluster, 'one-worker', targets, { sequential: false });
		report('one worker', round);

		expectEverySucceeded(round);
		expectPerListCounts(round, predicted);
		expectOneSyncPerExecution(round, targets);
		expect(round.executions.map((execution) => execution.workers)).toEqual(targets.map(() => [remaining.name]));
		expect(stopped.startedExecutions()).toEqual(ranBefore);
		// One worker's concurrency (5) bounds the syncs in flight.
		expect(round.stats.maxInFlight).toBeLessThanOrEqual(5);
	});
});
