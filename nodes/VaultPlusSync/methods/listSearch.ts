import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkConnectionId } from '../helpers/identifiers';
import { ofAuthApiRequest } from '../transport';
import {
	checkConnection,
	checkVaultList,
	CONNECTIONS_PAGE_SIZE,
	MAX_QUERY_LENGTH,
	parsePage,
	VAULT_LISTS_PAGE_SIZE,
	type Connection,
	type Page,
} from '../transport/pages';
import { DROPDOWN_POLICY } from '../transport/retry';

function offsetFrom(paginationToken?: string): number {
	const offset = Number(paginationToken);
	return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

function nextToken<T>(page: Page<T>, offset: number): string | undefined {
	return page.hasMore && page.list.length > 0 ? String(offset + page.list.length) : undefined;
}

function connectionLabel(connection: Connection): string {
	const name = connection.userData?.name?.trim();
	const username = connection.userData?.username?.trim();
	if (name && username) return `${name} (@${username})`;
	if (username) return `@${username}`;
	return name || connection.id;
}

/** Active connections only: an expired one cannot sync until it is reconnected. */
export async function searchConnections(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = offsetFrom(paginationToken);
	const page = await ofAuthApiRequest(this, {
		method: 'GET',
		path: '/v2/account/connections',
		qs: { status: 'active', limit: CONNECTIONS_PAGE_SIZE, offset },
		subject: {},
		expected: 'list of connections',
		parse: (body) => parsePage(body, checkConnection),
		policy: DROPDOWN_POLICY,
	});

	// The API has no name search, so the page is filtered here.
	const needle = filter?.trim().toLowerCase() ?? '';
	const results: INodeListSearchItems[] = page.list
		.map((connection) => ({ name: connectionLabel(connection), value: connection.id }))
		.filter(
			(entry) =>
				needle === '' ||
				entry.name.toLowerCase().includes(needle) ||
				entry.value.toLowerCase().includes(needle),
		);
	return { results, paginationToken: nextToken(page, offset) };
}

export async function searchVaultLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const connection = checkConnectionId(
		this.getCurrentNodeParameter('connectionId', { extractValue: true }),
	);
	if (!connection.ok) {
		throw new NodeOperationError(this.getNode(), 'Choose a connection first', {
			description: `Vault lists belong to a connection; set 'Connection' above (${connection.reason}).`,
		});
	}

	const offset = offsetFrom(paginationToken);
	const query = filter?.trim().slice(0, MAX_QUERY_LENGTH);
	const page = await ofAuthApiRequest(this, {
		method: 'GET',
		path: '/v2/access/vault/lists',
		connectionId: connection.value,
		qs: { limit: VAULT_LISTS_PAGE_SIZE, offset, ...(query ? { query } : {}) },
		subject: { connectionId: connection.value },
		expected: 'list of vault lists',
		parse: (body) => parsePage(body, checkVaultList),
		policy: DROPDOWN_POLICY,
	});

	const results: INodeListSearchItems[] = page.list.map((list) => ({
		name: list.name?.trim() ? list.name : `List ${list.id}`,
		value: list.id,
	}));
	return { results, paginationToken: nextToken(page, offset) };
}
