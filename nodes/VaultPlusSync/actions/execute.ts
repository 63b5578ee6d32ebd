import type { IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { optionValue } from '../descriptions/optionLimits';
import type { SyncOptions } from '../descriptions/parameters';
import { itemParameterReader, type ReadParameter } from '../helpers/itemParameters';
import { runScheduled, type ScheduleLimits } from '../helpers/scheduler';
import { openSession, type OfAuthSession } from '../transport';
import { reconnectReason, type ReconnectReason } from '../transport/errors';
import type { Connection } from '../transport/pages';
import {
	listAccountConnections,
	passesConnectionFilter,
	readConnectionFilter,
	skippedItem,
	type SkipCause,
} from './allConnections';
import { expandConnection } from './syncAllLists';
import { performSync, pickedListName, readConnectionId, readListId, type PreparedSync } from './syncList';

type NodeError = NodeApiError | NodeOperationError;

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

function asNodeError(context: IExecuteFunctions, caught: unknown, itemIndex: number): NodeError {
	return caught instanceof NodeApiError || caught instanceof NodeOperationError
		? caught
		: new NodeOperationError(context.getNode(), caught as Error, { itemIndex });
}

/**
 * Exactly `error` (what happened, naming the item) and `message` (what to do): the only shapes
 * n8n 1.x routes to the error output are {error} and {error, message}; n8n 2.x takes it too.
 */
function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const suffix = ` [item ${itemIndex}]`;
	return {
		json: {
			error: error.message.includes(suffix) ? error.message : `${error.message}${suffix}`,
			// n8n 1.x routes the item only when `message` is not empty.
			message: error.description?.trim() || 'Check the parameters of this item, then run the workflow again.',
		},
		pairedItem: { item: itemIndex },
	};
}

/**
 * Collects what each input item produced, in input order, as n8n expects: results, or error items
 * with continue-on-fail; without it, the earliest failure is thrown.
 */
class Outputs {
	private readonly byItem: INodeExecutionData[][];
	private failure?: { error: NodeError; itemIndex: number };

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly continueOnFail: boolean,
		count: number,
	) {
		this.byItem = Array.from({ length: count }, () => []);
	}

	add(itemIndex: number, item: INodeExecutionData): void {
		this.byItem[itemIndex].push(item);
	}

	fail(itemIndex: number, caught: unknown): void {
		const error = asNodeError(this.context, caught, itemIndex);
		if (this.continueOnFail) this.add(itemIndex, errorItem(error, itemIndex));
		else if (this.failure === undefined || itemIndex < this.failure.itemIndex) this.failure = { error, itemIndex };
	}

	get failed(): boolean {
		return this.failure !== undefined;
	}

	result(): INodeExecutionData[][] {
		if (this.failure) throw this.failure.error;
		return [this.byItem.flat()];
	}
}

interface Run {
	context: IExecuteFunctions;
	read: ReadParameter;
	session: OfAuthSession | Error;
	limits: ScheduleLimits;
	outputs: Outputs;
}

/**
 * One sync as the scheduler sees it; `prepared` gives the sync, read when first needed. With an
 * `entry` (all active connections), a connection that needs reconnecting is marked on it instead of
 * failing, and its later syncs are not sent.
 */
function syncTask(run: Run, group: string, resource: string, prepared: () => PreparedSync, entry?: ConnectionEntry) {
	return {
		group,
		resource,
		run: async (): Promise<INodeExecutionData | undefined> => {
			// The item's own bad input is its error, before a refused credential.
			const sync = prepared();
			const session = run.session;
			if (session instanceof Error) throw session;
			if (!entry) return await performSync(run.context, session, sync);
			if (entry.skip) return undefined;
			const synced = await unlessReconnectNeeded(async () => await performSync(run.context, session, sync));
			if (!needsReconnect(synced)) return synced;
			entry.skip ??= { answered: synced.reconnect };
			return undefined;
		},
	};
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
		if (result?.status === 'fulfilled' && result.value) run.outputs.add(itemIndex, result.value);
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
		if (result?.status === 'fulfilled' && result.value) run.outputs.add(itemIndex, result.value);
		else if (result?.status === 'rejected') run.outputs.fail(itemIndex, result.reason);
	});
	return syncs.length;
}

/** One connection as one input item syncs it in "All Active Connections" mode. */
interface ConnectionEntry {
	itemIndex: number;
	connection: Connection;
	/** Set once the connection turns out to need reconnecting: nothing more of it is sent. */
	skip?: SkipCause;
	/** Its vault lists could not be read. */
	failure?: unknown;
	syncs: Array<PromiseSettledResult<INodeExecutionData | undefined> | undefined>;
}

/** Runs `work`; OFAuth's answer that the connection's session is gone comes back as a value, not an error. */
async function unlessReconnectNeeded<T>(work: () => Promise<T>): Promise<T | { reconnect: ReconnectReason }> {
	return await work().catch(async (caught: unknown) => {
		const reconnect = reconnectReason(caught);
		// Any other failure stays the failure it was (already a NodeApiError or NodeOperationError).
		return reconnect === undefined ? await Promise.reject(caught) : { reconnect };
	});
}

const needsReconnect = (value: unknown): value is { reconnect: ReconnectReason } =>
	typeof value === 'object' && value !== null && 'reconnect' in value;

/** Each input item's connections (every one of the API key that passes its filter), in listing order. */
async function connectionsOfEachItem(run: Run, session: OfAuthSession, count: number): Promise<ConnectionEntry[]> {
	const entries: ConnectionEntry[] = [];
	const stopped = () => (run.limits.stopOnFailure === true && run.outputs.failed) || run.limits.shouldStop?.() === true;
	for (let itemIndex = 0; itemIndex < count && !stopped(); itemIndex++) {
		try {
			const filter = readConnectionFilter(run.context, run.read, itemIndex);
			const options = run.read('options', itemIndex, {}) as SyncOptions;
			for (const connection of await listAccountConnections(run.context, session, itemIndex, options)) {
				if (!passesConnectionFilter(connection, filter)) continue;
				// The status is documented; a connection listed without one is tried, and skipped if OFAuth then says so.
				const { status } = connection;
				const skip = status !== undefined && status !== 'active' ? { listedStatus: status } : undefined;
				entries.push({ itemIndex, connection, skip, syncs: [] });
			}
		} catch (caught) {
			run.outputs.fail(itemIndex, caught);
		}
	}
	return entries;
}

/**
 * Per connection in listing order: its sync results (with `skipped: false`) and errors, then one
 * skipped item if it needs reconnecting.
 */
function outputEntries(run: Run, entries: ConnectionEntry[]): void {
	for (const entry of entries) {
		if (entry.failure !== undefined) run.outputs.fail(entry.itemIndex, entry.failure);
		for (const result of entry.syncs) {
			if (result?.status === 'rejected') run.outputs.fail(entry.itemIndex, result.reason);
			else if (result?.value) run.outputs.add(entry.itemIndex, { ...result.value, json: { ...result.value.json, skipped: false } });
		}
		if (entry.skip) run.outputs.add(entry.itemIndex, skippedItem(entry.connection, entry.skip, entry.itemIndex));
	}
}

/**
 * "Sync All Lists" over all active connections: the lists of each, then their syncs, by the same
 * rules as for one connection. A connection that needs reconnecting (listed so, or answering so)
 * becomes one skipped item and the others go on. Returns how many syncs it planned.
 */
async function syncAllActiveConnections(run: Run, count: number): Promise<number> {
	const { context, read } = run;
	if (run.session instanceof Error) {
		for (let itemIndex = 0; itemIndex < count; itemIndex++) run.outputs.fail(itemIndex, run.session);
		return 0;
	}
	const session = run.session;
	const entries = await connectionsOfEachItem(run, session, count);
	// Without continue-on-fail an item whose connections could not be listed fails the node: sync nothing.
	if (run.limits.stopOnFailure && run.outputs.failed) return 0;
	const toList = entries.filter((entry) => entry.skip === undefined);
	const listed = await runScheduled(
		toList.length,
		(at) => ({
			group: toList[at].connection.id,
			resource: `listing ${at}`,
			run: async () =>
				await unlessReconnectNeeded(async () => await expandConnection(context, session, read, toList[at].itemIndex, toList[at].connection.id)),
		}),
		run.limits,
	);
	const syncs: Array<{ entry: ConnectionEntry; sync: PreparedSync }> = [];
	listed.forEach((result, at) => {
		const entry = toList[at];
		if (result?.status === 'rejected') entry.failure = result.reason;
		if (result?.status !== 'fulfilled') return;
		const lists = result.value;
		if (needsReconnect(lists)) entry.skip = { answered: lists.reconnect };
		else syncs.push(...lists.map((sync) => ({ entry, sync })));
	});

	if (!(run.limits.stopOnFailure && listed.some((result) => result?.status === 'rejected'))) {
		const settled = await runScheduled(
			syncs.length,
			(at) => syncTask(run, syncs[at].sync.connectionId, syncs[at].sync.listId, () => syncs[at].sync, syncs[at].entry),
			run.limits,
		);
		settled.forEach((result, at) => syncs[at].entry.syncs.push(result));
	}
	outputEntries(run, entries);
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
	const planned =
		read('connectionScope', 0, 'selected') === 'allActive'
			? await syncAllActiveConnections(run, count)
			: await syncAllListsOfEachItem(run, count);
	return withHints(context, run.outputs.result(), planned);
}

/**
 * Hints n8n shows on the node's output: nothing to sync, results output with `synced` false,
 * connections skipped. n8n 1.x and 2.x have addExecutionHints; a host without it gets none.
 */
function withHints(context: IExecuteFunctions, output: INodeExecutionData[][], plannedSyncs: number | undefined): INodeExecutionData[][] {
	const items = output[0];
	const unsynced = items.filter((item) => item.json.synced === false).length;
	const skipped = items.filter((item) => item.json.skipped === true).length;
	const failed = items.filter((item) => typeof item.json.error === 'string').length;
	const hints: NodeExecutionHint[] = [];
	if (plannedSyncs === 0 && skipped === 0 && failed === 0) {
		hints.push({
			message: "Sync All Lists found no vault list to sync: no list matched 'List Types' and 'Name Filter' (or no connection matched 'Connection Filter')",
			type: 'info',
			location: 'outputPane',
		});
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
