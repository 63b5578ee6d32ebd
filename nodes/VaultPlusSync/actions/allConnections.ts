import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { SyncOptions } from '../descriptions/parameters';
import { checkConnectionId } from '../helpers/identifiers';
import type { ReadParameter } from '../helpers/itemParameters';
import { ofAuthApiRequest, type OfAuthSession, type Parsed } from '../transport';
import type { ReconnectReason } from '../transport/errors';
import { checkConnection, CONNECTIONS_PAGE_SIZE, parsePage, readAllPages, type Connection, type Page } from '../transport/pages';
import { retryPolicy } from './syncList';

/** No API key has this many connections; a server that keeps saying hasMore is stopped here. */
const MAX_CONNECTION_PAGES = 100;

/** Connections of the account list as pages whose IDs can go into the x-connection-id header. */
function parseConnections(body: unknown): Parsed<Page<Connection>> {
	const page = parsePage(body, checkConnection);
	if (!page.ok) return page;
	for (const [index, connection] of page.value.list.entries()) {
		const id = checkConnectionId(connection.id);
		if (!id.ok) return { ok: false, problems: [`list entry ${index}: 'id' ${id.reason}`] };
	}
	return page;
}

function incompleteConnections(context: IExecuteFunctions, itemIndex: number, why: string): NodeApiError {
	return new NodeApiError(
		context.getNode(),
		{ message: 'Incomplete list of connections' },
		{
			message: `Could not list every connection of the API key [item ${itemIndex}]`,
			description: `${why}. Nothing was synced for this item, since a partial set would silently skip accounts. Run it again later; if it keeps happening, contact OFAuth support.`,
			itemIndex,
		},
	);
}

/**
 * Every connection of the API key, whatever its status (GET /v2/account/connections, paged by
 * offset until `hasMore` is false). The largest page OFAuth serves is not documented, so the next
 * offset is always this one plus what came back.
 */
export async function listAccountConnections(
	context: IExecuteFunctions,
	session: OfAuthSession,
	itemIndex: number,
	options: SyncOptions,
): Promise<Connection[]> {
	return await readAllPages(
		async (offset) =>
			await ofAuthApiRequest(
				context,
				{
					method: 'GET',
					path: '/v2/account/connections',
					qs: { limit: CONNECTIONS_PAGE_SIZE, offset },
					subject: { itemIndex },
					expected: 'list of connections',
					parse: parseConnections,
					policy: retryPolicy(options),
				},
				session,
			),
		{ plural: 'connections', maxPages: MAX_CONNECTION_PAGES, incomplete: (why) => incompleteConnections(context, itemIndex, why) },
	);
}

/** 'Connection Filter': text to find in the account's name or username, ignoring case; empty keeps all. */
export function readConnectionFilter(context: IExecuteFunctions, read: ReadParameter, itemIndex: number): string {
	const filter = read('connectionFilter', itemIndex, '');
	if (typeof filter !== 'string' && typeof filter !== 'number') {
		throw new NodeOperationError(context.getNode(), `Invalid 'Connection Filter' value [item ${itemIndex}]`, {
			description: `The 'Connection Filter' parameter of item ${itemIndex} is ${filter === null ? 'null' : typeof filter}; it takes text. Fix the expression that produces it.`,
			itemIndex,
		});
	}
	return String(filter).trim().toLowerCase();
}

export function passesConnectionFilter(connection: Connection, filter: string): boolean {
	if (filter === '') return true;
	const { name, username } = connection.userData ?? {};
	return [name, username].some((text) => text?.toLowerCase().includes(filter) === true);
}

/** Why a connection is not synced: its listed status, or what OFAuth answered while it was used. */
export type SkipCause = { listedStatus: string } | { answered: ReconnectReason };

/** The account's display name, else its username, else the connection's ID. */
function displayName(connection: Connection): string {
	return connection.userData?.name?.trim() || connection.userData?.username?.trim() || connection.id;
}

function explainSkip(connection: Connection, cause: SkipCause): { status: string; reason: string; whatToDo: string } {
	const who = `connection ${connection.id} (${displayName(connection)})`;
	const reconnect = 'Reconnect this OnlyFans account through OFAuth Link, then run the workflow again. The API key is fine; the other connections were synced.';
	const status = 'listedStatus' in cause ? cause.listedStatus : cause.answered;
	if (status === 'expired') return { status, reason: `The OnlyFans session of ${who} has expired`, whatToDo: reconnect };
	if (status === 'no_session') return { status, reason: `OFAuth has no OnlyFans session for ${who}`, whatToDo: reconnect };
	if (status === 'awaiting_2fa') {
		return {
			status,
			reason: `The OnlyFans login of ${who} is waiting for two-factor authentication`,
			whatToDo: 'Finish the two-factor check of this OnlyFans account in OFAuth Link (or reconnect it), then run the workflow again. The API key is fine; the other connections were synced.',
		};
	}
	return { status, reason: `OFAuth lists ${who} as '${status}', not active`, whatToDo: reconnect };
}

/** The item that names a connection needing reconnecting, on the main output, paired to its input item. */
export function skippedItem(connection: Connection, cause: SkipCause, itemIndex: number): INodeExecutionData {
	const { status, reason, whatToDo } = explainSkip(connection, cause);
	return {
		json: {
			skipped: true,
			connectionId: connection.id,
			connectionName: displayName(connection),
			username: connection.userData?.username ?? null,
			connectionStatus: status,
			reason,
			whatToDo,
		},
		pairedItem: { item: itemIndex },
	};
}
