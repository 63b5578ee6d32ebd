import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { optionValue } from '../descriptions/optionLimits';
import type { SyncOptions } from '../descriptions/parameters';
import { checkConnectionId, checkListId, type IdentifierCheck } from '../helpers/identifiers';
import type { ReadParameter } from '../helpers/itemParameters';
import { summarize } from '../helpers/summary';
import { checkSyncResult, type SyncResult } from '../helpers/syncResult';
import { ofAuthApiRequest, type OfAuthSession } from '../transport';
import type { RetryPolicy } from '../transport/retry';

function readIdentifier(
	context: IExecuteFunctions,
	read: ReadParameter,
	parameter: 'connectionId' | 'listId',
	itemIndex: number,
	check: (value: unknown) => IdentifierCheck,
): string {
	const label = parameter === 'connectionId' ? 'Connection' : 'Vault List';
	const raw = read(parameter, itemIndex, undefined, { extractValue: true });
	const checked = check(raw);
	if (!checked.ok) {
		throw new NodeOperationError(context.getNode(), `Invalid '${label}' value [item ${itemIndex}]`, {
			description: `The '${label}' parameter of item ${itemIndex}: ${checked.reason}. Choose it from the list, or fix the ID or the expression that produces it.`,
			itemIndex,
		});
	}
	return checked.value;
}

export function retryPolicy(options: SyncOptions): RetryPolicy {
	return {
		maxRetries: optionValue('maxRetries', options.maxRetries),
		maxWaitMs: Math.round(optionValue('maxWait', options.maxWait) * 1000),
		timeoutMs: Math.round(optionValue('timeout', options.timeout) * 1000),
	};
}

function describeCounts(result: SyncResult): string {
	return `seen ${result.seen}, added ${result.addedItems}, updated ${result.updatedItems}, removed ${result.removedItems}, unchanged ${result.unchangedItems}, adopted ${result.adoptedItems}`;
}

/** One item's sync, read and checked before its request is sent. */
export interface PreparedSync {
	itemIndex: number;
	connectionId: string;
	listId: string;
	/** Known when the list was picked from the dropdown or listed by "Sync All Lists". */
	listName?: string;
	/** Output the list's name: "Sync All Lists" does, since the user never named the list. */
	outputListName?: boolean;
	options: SyncOptions;
}

/**
 * The name the dropdown stored with a picked list, if the user picked it there. It is plain text in
 * the node's parameters, the same for every item, so it is read once and never evaluated.
 */
export function pickedListName(context: IExecuteFunctions): string | undefined {
	const locator = context.getNode().parameters.listId;
	if (locator === null || typeof locator !== 'object' || Array.isArray(locator)) return undefined;
	const { mode, cachedResultName } = locator as { mode?: unknown; cachedResultName?: unknown };
	return mode === 'list' && typeof cachedResultName === 'string' ? cachedResultName : undefined;
}

export function readConnectionId(context: IExecuteFunctions, read: ReadParameter, itemIndex: number): string {
	return readIdentifier(context, read, 'connectionId', itemIndex, checkConnectionId);
}

export function readListId(context: IExecuteFunctions, read: ReadParameter, itemIndex: number): string {
	return readIdentifier(context, read, 'listId', itemIndex, checkListId);
}

/** Runs the authoritative list sync for one item and returns its one output item. */
export async function performSync(
	context: IExecuteFunctions,
	session: OfAuthSession,
	sync: PreparedSync,
): Promise<INodeExecutionData> {
	const { itemIndex, connectionId, listId, options } = sync;
	const result = await ofAuthApiRequest(context, {
		method: 'PUT',
		path: `/v2/vault-plus/lists/${encodeURIComponent(listId)}/sync`,
		connectionId,
		subject: { connectionId, listId, itemIndex },
		expected: `sync result for vault list ${listId}`,
		parse: (body) => checkSyncResult(body, listId),
		policy: retryPolicy(options),
	}, session);

	if (!result.synced && !options.outputUnsyncedResults) {
		throw new NodeApiError(
			context.getNode(),
			{ message: 'Sync not completed' },
			{
				message: `OFAuth did not complete the sync of vault list ${listId} [item ${itemIndex}]`,
				description: `OFAuth answered 'synced': false (${describeCounts(result)}) for connection ${connectionId}. Run it again later; the sync is safe to repeat. To output such results instead of stopping, turn on 'Output Unsynced Results' under 'Options'.`,
				itemIndex,
			},
		);
	}

	return {
		json: {
			...result,
			connectionId,
			...(sync.outputListName && sync.listName !== undefined ? { listName: sync.listName } : {}),
			...(options.addSummary ? summarize(result, sync.listName) : {}),
		},
		pairedItem: { item: itemIndex },
	};
}
