import type { INodeExecutionData } from 'n8n-workflow';

import type { SyncOptions } from '../descriptions/parameters';
import { runScheduled, type ScheduledTask } from '../helpers/scheduler';
import type { OfAuthSession } from '../transport';
import { reconnectReason, type ReconnectReason } from '../transport/errors';
import type { Connection } from '../transport/pages';
import { listAccountConnections, passesConnectionFilter, readConnectionFilter, skippedItem, type SkipCause } from './allConnections';
import { syncTask, type Run } from './run';
import { expandConnection, readFilters, type ListFilters } from './syncAllLists';
import type { PreparedSync } from './syncList';

/** What one input item asks for in this mode, read once before anything is sent for it. */
interface ItemTarget {
	connectionFilter: string;
	filters: ListFilters;
	options: SyncOptions;
}

/** One connection as one input item syncs it in "All Active Connections" mode. */
interface ConnectionEntry {
	itemIndex: number;
	connection: Connection;
	target: ItemTarget;
	/** Its vault lists could not be read. */
	failure?: unknown;
	syncs: Array<PromiseSettledResult<INodeExecutionData | undefined> | undefined>;
}

/**
 * Connections found to need reconnecting, by ID, for the whole run: once one item learns it, no item
 * sends more for that connection.
 */
type Skips = Map<string, SkipCause>;

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

/** A sync of a connection in this mode: once the connection needs reconnecting, its later syncs are not sent. */
function entrySyncTask(run: Run, skips: Skips, sync: PreparedSync): ScheduledTask<INodeExecutionData | undefined> {
	const task = syncTask(run, sync.connectionId, sync.listId, () => sync);
	return {
		...task,
		run: async () => {
			if (skips.has(sync.connectionId)) return undefined;
			const synced = await unlessReconnectNeeded(task.run);
			if (!needsReconnect(synced)) return synced;
			if (!skips.has(sync.connectionId)) skips.set(sync.connectionId, { answered: synced.reconnect });
			return undefined;
		},
	};
}

function readTarget(run: Run, itemIndex: number): ItemTarget {
	return {
		connectionFilter: readConnectionFilter(run.context, run.read, itemIndex),
		filters: readFilters(run.context, run.read, itemIndex),
		options: run.read('options', itemIndex, {}) as SyncOptions,
	};
}

/** Each input item's connections (every one of the API key that passes its filter), in listing order. */
async function connectionsOfEachItem(run: Run, session: OfAuthSession, count: number, skips: Skips): Promise<ConnectionEntry[]> {
	const entries: ConnectionEntry[] = [];
	const stopped = () => (run.limits.stopOnFailure === true && run.outputs.failed) || run.limits.shouldStop?.() === true;
	for (let itemIndex = 0; itemIndex < count && !stopped(); itemIndex++) {
		try {
			const target = readTarget(run, itemIndex);
			for (const connection of await listAccountConnections(run.context, session, itemIndex, target.options)) {
				if (!passesConnectionFilter(connection, target.connectionFilter)) continue;
				// The status is documented; a connection listed without one is tried, and skipped if OFAuth then says so.
				const { status } = connection;
				if (status !== undefined && status !== 'active' && !skips.has(connection.id)) skips.set(connection.id, { listedStatus: status });
				entries.push({ itemIndex, connection, target, syncs: [] });
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
function outputEntries(run: Run, entries: ConnectionEntry[], skips: Skips): void {
	for (const entry of entries) {
		if (entry.failure !== undefined) run.outputs.fail(entry.itemIndex, entry.failure);
		for (const result of entry.syncs) {
			if (result?.status === 'rejected') run.outputs.fail(entry.itemIndex, result.reason);
			else if (result?.value) run.outputs.add(entry.itemIndex, { ...result.value, json: { ...result.value.json, skipped: false } });
		}
		const skip = skips.get(entry.connection.id);
		if (skip) run.outputs.add(entry.itemIndex, skippedItem(entry.connection, skip, entry.itemIndex));
	}
}

/** Lists the vault lists of every connection not known to need reconnecting; returns their syncs. */
async function listsOfEachConnection(run: Run, session: OfAuthSession, entries: ConnectionEntry[], skips: Skips) {
	const toList = entries.filter((entry) => !skips.has(entry.connection.id));
	const listed = await runScheduled(
		toList.length,
		(at) => {
			const { itemIndex, connection, target } = toList[at];
			const expand = async () =>
				await expandConnection(run.context, session, run.read, itemIndex, { connectionId: connection.id, ...target });
			return {
				group: connection.id,
				resource: `listing ${at}`,
				run: async () => (skips.has(connection.id) ? [] : await unlessReconnectNeeded(expand)),
			};
		},
		run.limits,
	);
	const syncs: Array<{ entry: ConnectionEntry; sync: PreparedSync }> = [];
	listed.forEach((result, at) => {
		const entry = toList[at];
		if (result?.status === 'rejected') entry.failure = result.reason;
		if (result?.status !== 'fulfilled') return;
		const lists = result.value;
		if (!needsReconnect(lists)) syncs.push(...lists.map((sync) => ({ entry, sync })));
		else if (!skips.has(entry.connection.id)) skips.set(entry.connection.id, { answered: lists.reconnect });
	});
	return { syncs, anyFailed: listed.some((result) => result?.status === 'rejected') };
}

/**
 * "Sync All Lists" over all active connections: the lists of each, then their syncs, by the same
 * rules as for one connection. A connection that needs reconnecting (listed so, or answering so)
 * becomes one skipped item per input item that names it, and the others go on.
 */
export async function syncAllActiveConnections(run: Run, count: number): Promise<{ syncs: number; connections: number }> {
	if (run.session instanceof Error) {
		for (let itemIndex = 0; itemIndex < count; itemIndex++) run.outputs.fail(itemIndex, run.session);
		return { syncs: 0, connections: 0 };
	}
	const session = run.session;
	const skips: Skips = new Map();
	const entries = await connectionsOfEachItem(run, session, count, skips);
	// Without continue-on-fail an item whose connections could not be listed fails the node: sync nothing.
	if (run.limits.stopOnFailure && run.outputs.failed) return { syncs: 0, connections: entries.length };
	const { syncs, anyFailed } = await listsOfEachConnection(run, session, entries, skips);
	if (!(run.limits.stopOnFailure && anyFailed)) {
		const settled = await runScheduled(syncs.length, (at) => entrySyncTask(run, skips, syncs[at].sync), run.limits);
		settled.forEach((result, at) => syncs[at].entry.syncs.push(result));
	}
	outputEntries(run, entries, skips);
	return { syncs: syncs.length, connections: entries.length };
}
