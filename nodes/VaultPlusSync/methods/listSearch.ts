import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkConnectionId } from '../helpers/identifiers';
import { ofAuthApiRequest, type Parsed } from '../transport';
import { DROPDOWN_POLICY } from '../transport/retry';

const CONNECTIONS_PAGE_SIZE = 100;
/** The Access API caps vault-list pages at 40. */
const VAULT_LISTS_PAGE_SIZE = 40;
/** The Access API refuses longer search texts. */
const MAX_QUERY_LENGTH = 100;

interface Page<T> {
	list: T[];
	hasMore: boolean;
}

interface Connection {
	id: string;
	userData?: { name?: string; username?: string };
}

interface VaultList {
	id: number | string;
	name?: string;
	type?: string;
}

function parsePage<T>(body: unknown, isEntry: (entry: unknown) => entry is T): Parsed<Page<T>> {
	if (body === null || typeof body !== 'object') return { ok: false, problems: ['the body is not an object'] };
	const { list, hasMore } = body as { list?: unknown; hasMore?: unknown };
	if (!Array.isArray(list)) return { ok: false, problems: ['list is not an array'] };
	const bad = list.findIndex((entry) => !isEntry(entry));
	if (bad !== -1) return { ok: false, problems: [`list entry ${bad} has no usable id`] };
	return { ok: true, value: { list: list as T[], hasMore: hasMore === true } };
}

const isConnection = (entry: unknown): entry is Connection =>
	entry !== null && typeof entry === 'object' && typeof (entry as Connection).id === 'string';

const isVaultList = (entry: unknown): entry is VaultList => {
	const id = (entry as VaultList | null)?.id;
	return (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^\d+$/.test(id));
};

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
		parse: (body) => parsePage(body, isConnection),
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
			description: `Vault lists belong to a connection; set "Connection" above (${connection.reason}).`,
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
		parse: (body) => parsePage(body, isVaultList),
		policy: DROPDOWN_POLICY,
	});

	const results: INodeListSearchItems[] = page.list.map((list) => ({
		name: list.name?.trim() ? list.name : `List ${list.id}`,
		value: String(list.id),
	}));
	return { results, paginationToken: nextToken(page, offset) };
}
