import type { IExecuteFunctions } from 'n8n-workflow';

import { VAULT_LIST_TYPES, type SyncOptions } from '../descriptions/parameters';
import type { ReadParameter } from '../helpers/itemParameters';
import { ofAuthApiRequest, type OfAuthSession } from '../transport';
import { isVaultList, MAX_QUERY_LENGTH, parsePage, VAULT_LISTS_PAGE_SIZE, type VaultList } from '../transport/pages';
import { readConnectionId, retryPolicy, type PreparedSync } from './syncList';

/** No account has this many vault lists; a server that keeps saying hasMore is stopped here. */
const MAX_PAGES = 250;

export interface ListFilters {
	types: string[];
	nameFilter: string;
}

export function readFilters(read: ReadParameter, itemIndex: number): ListFilters {
	const types = read('listTypes', itemIndex, ['custom']);
	const nameFilter = read('nameFilter', itemIndex, '');
	return {
		types: Array.isArray(types) ? types.map(String) : [...VAULT_LIST_TYPES],
		nameFilter: typeof nameFilter === 'string' ? nameFilter.trim() : '',
	};
}

function passes(list: VaultList, filters: ListFilters): boolean {
	const typeOk = filters.types.length === 0 || (list.type !== undefined && filters.types.includes(list.type));
	const nameOk = filters.nameFilter === '' || (list.name ?? '').toLowerCase().includes(filters.nameFilter.toLowerCase());
	return typeOk && nameOk;
}

/** Pages through a connection's vault lists (40 at a time) and keeps those that pass the filters. */
async function listVaultLists(
	context: IExecuteFunctions,
	session: OfAuthSession,
	connectionId: string,
	filters: ListFilters,
	itemIndex: number,
	options: SyncOptions,
): Promise<VaultList[]> {
	const kept: VaultList[] = [];
	const query = filters.nameFilter.slice(0, MAX_QUERY_LENGTH);
	let offset = 0;
	for (let page = 0; page < MAX_PAGES; page++) {
		const result = await ofAuthApiRequest(
			context,
			{
				method: 'GET',
				path: '/v2/access/vault/lists',
				connectionId,
				qs: { limit: VAULT_LISTS_PAGE_SIZE, offset, ...(query ? { query } : {}) },
				subject: { connectionId, itemIndex },
				expected: 'list of vault lists',
				parse: (body) => parsePage(body, isVaultList),
				policy: retryPolicy(options),
			},
			session,
		);
		kept.push(...result.list.filter((list) => passes(list, filters)));
		if (!result.hasMore || result.list.length === 0) break;
		offset += result.list.length;
	}
	return kept;
}

/** The syncs "Sync All Lists" runs for one input item: one per list of its connection that passes the filters. */
export async function expandConnection(
	context: IExecuteFunctions,
	session: OfAuthSession,
	read: ReadParameter,
	itemIndex: number,
): Promise<PreparedSync[]> {
	const connectionId = readConnectionId(context, read, itemIndex);
	const options = read('options', itemIndex, {}) as SyncOptions;
	const lists = await listVaultLists(context, session, connectionId, readFilters(read, itemIndex), itemIndex, options);
	return lists.map((list) => ({
		itemIndex,
		connectionId,
		listId: String(list.id),
		listName: list.name,
		outputListName: true,
		options,
	}));
}
