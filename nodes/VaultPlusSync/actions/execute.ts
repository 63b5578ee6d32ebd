import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { optionValue } from '../descriptions/optionLimits';
import type { SyncOptions } from '../descriptions/parameters';
import { withHints } from '../helpers/hints';
import { itemParameterReader } from '../helpers/itemParameters';
import { runScheduled } from '../helpers/scheduler';
import { openSession, type OfAuthSession } from '../transport';
import { asNodeError, Outputs, syncTask, type Run } from './run';
import { syncAllActiveConnections } from './syncAllActiveConnections';
import { expandConnection } from './syncAllLists';
import { pickedListName, readConnectionId, readListId, type PreparedSync } from './syncList';

/** Items read between two chances for started requests to go out. */
const DESCRIBE_BATCH = 16;

/**
 * Lets the requests started so far reach the network before the run goes on. One sleep(0) is not
 * enough: set in the timers phase, with the started requests' own work (which sets timers of its
 * own and so moves the loop's clock) still to run after it, it fires again in the same pass over
 * the timers, before any socket is polled; every request would then wait for the whole input to be
 * read. The second sleep is set after that work and waits for a real turn of the event loop.
 */
async function letStartedRequestsOut(): Promise<void> {
	await sleep(0);
	await sleep(0);
}

/** "Sync List": one sync per input item, each read as the run goes. */
async function syncEachItem(run: Run, count: number): Promise<void> {
	const { context, read } = run;
	const listName = pickedListName(context);
	// An item's list is read as soon as the item is, when one connection may run several syncs at
	// once (the scheduler keeps two syncs of a list apart) or when a bad item stops the run (so a bad
	// list ID stops it before anything is sent). Otherwise it is read when the sync starts: finding
	// each connection's next sync then costs one expression per item instead of two.
	const listNeededEarly = run.limits.maxPerGroup > 1 || run.limits.stopOnFailure === true;
	const settled = await runScheduled(
		count,
		(itemIndex) => {
			const connectionId = readConnectionId(context, read, itemIndex);
			let sync: PreparedSync | undefined;
			const prepared = (): PreparedSync =>
				(sync ??= {
					itemIndex,
					connectionId,
					listId: readListId(context, read, itemIndex),
					listName,
					options: read('options', itemIndex, {}) as SyncOptions,
				});
			return syncTask(run, connectionId, listNeededEarly ? prepared().listId : `item ${itemIndex}`, prepared);
		},
		run.limits,
	);
	settled.forEach((result, itemIndex) => {
		if (result?.status === 'fulfilled') run.outputs.add(itemIndex, result.value);
		else if (result?.status === 'rejected') run.outputs.fail(itemIndex, result.reason);
	});
}

/** "Sync All Lists": list each input item's connection, then sync every list that passes the filters; returns how many syncs it planned. */
async function syncAllListsOfEachItem(run: Run, count: number): Promise<number> {
	const listed = await runScheduled(
		count,
		(itemIndex) => ({
			group: readConnectionId(run.context, run.read, itemIndex),
			resource: `item ${itemIndex}`,
			run: async () => {
				if (run.session instanceof Error) throw run.session;
				return await expandConnection(run.context, run.session, run.read, itemIndex);
			},
		}),
		run.limits,
	);
	const syncs: PreparedSync[] = [];
	listed.forEach((result, itemIndex) => {
		if (result?.status === 'fulfilled') syncs.push(...result.value);
		else if (result?.status === 'rejected') run.outputs.fail(itemIndex, result.reason);
	});
	// Without continue-on-fail a failed listing fails the node, so no list is synced only to be thrown away.
	if (run.limits.stopOnFailure && listed.some((result) => result?.status === 'rejected')) return syncs.length;

	const settled = await runScheduled(syncs.length, (at) => syncTask(run, syncs[at].connectionId, syncs[at].listId, () => syncs[at]), run.limits);
	settled.forEach((result, at) => {
		const { itemIndex } = syncs[at];
		if (result?.status === 'fulfilled') run.outputs.add(itemIndex, result.value);
		else if (result?.status === 'rejected') run.outputs.fail(itemIndex, result.reason);
	});
	return syncs.length;
}

/**
 * Different connections at once, each connection's syncs one after another in input order (by
 * default), never two syncs of one list at the same time, output in input order.
 */
export async function executeSyncs(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const count = context.getInputData().length;
	if (count === 0) return [[]];
	const continueOnFail = context.continueOnFail();
	const read = itemParameterReader(context);

	let session: OfAuthSession | Error;
	try {
		session = await openSession(context, 0);
	} catch (caught) {
		if (!continueOnFail) throw asNodeError(context, caught, 0);
		session = caught as Error;
	}
	// Concurrency is a property of the whole run, so the first item's options set it.
	const options = read('options', 0, {}) as SyncOptions;
	const signal = context.getExecutionCancelSignal();
	const run: Run = {
		context,
		read,
		session,
		outputs: new Outputs(context, continueOnFail, count),
		limits: {
			maxConcurrent: optionValue('maxConcurrent', options.maxConcurrent),
			maxPerGroup: optionValue('maxPerConnection', options.maxPerConnection),
			// Without continue-on-fail the node fails: start nothing more, let running syncs finish.
			stopOnFailure: !continueOnFail,
			shouldStop: () => signal?.aborted === true,
			yieldToEventLoop: letStartedRequestsOut,
			describeBatch: DESCRIBE_BATCH,
			betweenStarts: letStartedRequestsOut,
		},
	};

	if (read('operation', 0, 'syncList') !== 'syncAllLists') {
		await syncEachItem(run, count);
		return withHints(context, run.outputs.result(), undefined);
	}
	const plan =
		read('connectionScope', 0, 'selected') === 'allActive'
			? await syncAllActiveConnections(run, count)
			: { syncs: await syncAllListsOfEachItem(run, count) };
	return withHints(context, run.outputs.result(), plan);
}

