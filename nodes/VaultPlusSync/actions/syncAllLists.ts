import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { VAULT_LIST_TYPES, type SyncOptions } from '../descriptions/parameters';
import type { ReadParameter } from '../helpers/itemParameters';
import { ofAuthApiRequest, type OfAuthSession } from '../transport';
import { checkVaultList, MAX_QUERY_LENGTH, parsePage, readAllPages, VAULT_LISTS_PAGE_SIZE, type VaultList } from '../transport/pages';
import { readConnectionId, retryPolicy, type PreparedSync } from './syncList';

/** No account has this many vault lists; a server that keeps saying hasMore is stopped here. */
const MAX_PAGES = 250;

export interface ListFilters {
	types: string[];
	nameFilter: string;
}

export function readFilters(context: IExecuteFunctions, read: ReadParameter, itemIndex: number): ListFilters {
	const types = read('listTypes', itemIndex, ['custom']);
	const nameFilter = read('nameFilter', itemIndex, '');
	if (typeof nameFilter !== 'string' && typeof nameFilter !== 'number') {
		throw new NodeOperationError(context.getNode(), `Invalid 'Name Filter' value [item ${itemIndex}]`, {
			description: `The 'Name Filter' parameter of item ${itemIndex} is ${nameFilter === null ? 'null' : typeof nameFilter}; it takes text. Fix the expression that produces it.`,
			itemIndex,
		});
	}
	return {
		types: Array.isArray(types) ? types.map(String) : [...VAULT_LIST_TYPES],
		nameFilter: String(nameFilter).trim(),
	};
}

function passes(list: VaultList, filters: ListFilters): boolean {
	const typeOk = filters.types.length === 0 || (list.type !== undefined && filters.types.includes(list.type));
	const nameOk = filters.nameFilter === '' || (list.name ?? '').toLowerCase().includes(filters.nameFilter.toLowerCase());
	return typeOk && nameOk;
}

function incompleteListing(context: IExecuteFunctions, connectionId: string, itemIndex: number, why: string): NodeApiError {
	return new NodeApiError(
		context.getNode(),
		{ message: 'Incomplete list of vault lists' },
		{
			message: `Could not list every vault list of connection ${connectionId} [item ${itemIndex}]`,
			description: `${why}. Nothing was synced for this item, since a partial set would silently skip lists. Run it again later; if it keeps happening, contact OFAuth support.`,
			itemIndex,
		},
	);
}

/** Pages through a connection's vault lists (40 at a time) and keeps, once each, those that pass the filters. */
async function listVaultLists(
	context: IExecuteFunctions,
	session: OfAuthSession,
	connectionId: string,
	filters: ListFilters,
	itemIndex: number,
	options: SyncOptions,
): Promise<VaultList[]> {
	const query = filters.nameFilter.slice(0, MAX_QUERY_LENGTH);
	const lists = await readAllPages(
		async (offset) =>
			await ofAuthApiRequest(
				context,
				{
					method: 'GET',
					path: '/v2/access/vault/lists',
					connectionId,
					qs: { limit: VAULT_LISTS_PAGE_SIZE, offset, ...(query ? { query } : {}) },
					subject: { connectionId, itemIndex },
					expected: 'list of vault lists',
					parse: (body) => parsePage(body, checkVaultList),
					policy: retryPolicy(options),
				},
				session,
			),
		{ plural: 'vault lists', maxPages: MAX_PAGES, incomplete: (why) => incompleteListing(context, connectionId, itemIndex, why) },
	);
	return lists.filter((list) => passes(list, filters));
}

/**
 * The syncs "Sync All Lists" runs for one input item: one per list of its connection (the one it
 * names, or `connectionId` when all connections are synced) that passes the filters.
 */
export async function expandConnection(
	context: IExecuteFunctions,
	session: OfAuthSession,
	read: ReadParameter,
	itemIndex: number,
	connectionId = readConnectionId(context, read, itemIndex),
): Promise<PreparedSync[]> {
	const options = read('options', itemIndex, {}) as SyncOptions;
	const lists = await listVaultLists(context, session, connectionId, readFilters(context, read, itemIndex), itemIndex, options);
	return lists.map((list) => ({
		itemIndex,
		connectionId,
		listId: list.id,
		listName: list.name,
		outputListName: true,
		options,
	}));
}
