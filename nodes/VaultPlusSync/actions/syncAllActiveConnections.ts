import type { INodeExecutionData } from 'n8n-workflow';

import type { SyncOptions } from '../descriptions/parameters';
import { runScheduled, type ScheduledTask } from '../helpers/scheduler';
import type { OfAuthSession } from '../transport';
import { reconnectReason, type ReconnectReason } from '../transport/errors';
import type { Connection } from '../transport/pages';
import { listAccountConnections, passesConnectionFilter, readConnectionFilter, skippedItem, type SkipCause } from './allConnections';
import { syncTask, type Run } from './run';
import { expandConnection } from './syncAllLists';
import type { PreparedSync } from './syncList';

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

/** A sync of a connection in this mode: once the connection needs reconnecting, its later syncs are not sent. */
function entrySyncTask(run: Run, entry: ConnectionEntry, sync: PreparedSync): ScheduledTask<INodeExecutionData | undefined> {
	const task = syncTask(run, sync.connectionId, sync.listId, () => sync);
	return {
		...task,
		run: async () => {
			if (entry.skip) return undefined;
			const synced = await unlessReconnectNeeded(task.run);
			if (!needsReconnect(synced)) return synced;
			entry.skip ??= { answered: synced.reconnect };
			return undefined;
		},
	};
}

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
export async function syncAllActiveConnections(run: Run, count: number): Promise<number> {
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
			(at) => entrySyncTask(run, syncs[at].entry, syncs[at].sync),
			run.limits,
		);
		settled.forEach((result, at) => syncs[at].entry.syncs.push(result));
	}
	outputEntries(run, entries);
	return syncs.length;
}

