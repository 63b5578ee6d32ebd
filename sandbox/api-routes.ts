/**
 * The public API surface: which method and path reach which model function, and the checks that
 * come before it (route, API key, connection header). No sockets here, so it can be called
 * directly.
 */
import { ApiError, badRequest, routeNotFound } from './errors';
import { isValidApiKey, LIST_ID_PATTERN, syncList, whoami, type SandboxState } from './model';
import { listConnections, listVaultLists } from './queries';

export interface ApiRequest {
	method: string;
	/** Raw path, still percent-encoded. */
	path: string;
	query: Record<string, string>;
	/** Header names in lower case, as node:http gives them. */
	headers: Record<string, string | undefined>;
}

export interface ApiResponse {
	status: number;
	body: unknown;
}

/**
 * Called for a connection-scoped route once the key and connection header are checked, before
 * the model runs. It may throw an ApiError (a rate limit's 429) to answer instead of the model.
 */
export type Gate = (connectionId: string) => void;

const SYNC_PATH = /^\/v2\/vault-plus\/lists\/([^/]+)\/sync$/;

interface Route {
	method: string;
	pattern: RegExp;
	/** Whether the route acts on one connection and so needs `x-connection-id`. */
	connectionScoped: boolean;
	run(state: SandboxState, request: ApiRequest, connectionId: string, params: string[]): unknown;
}

const routes: Route[] = [
	{
		method: 'GET',
		pattern: /^\/v2\/account\/whoami$/,
		connectionScoped: false,
		run: (state) => whoami(state),
	},
	{
		method: 'GET',
		pattern: /^\/v2\/account\/connections$/,
		connectionScoped: false,
		run: (state, { query }) => listConnections(state, query),
	},
	{
		method: 'GET',
		pattern: /^\/v2\/access\/vault\/lists$/,
		connectionScoped: true,
		run: (state, { query }, connectionId) => listVaultLists(state, connectionId, query),
	},
	{
		method: 'PUT',
		pattern: SYNC_PATH,
		connectionScoped: true,
		// DECISION: a request body is ignored, as the endpoint documents none.
		run: (state, _request, connectionId, [listId]) =>
			syncList(state, connectionId, decodeSegment(listId)),
	},
];

/**
 * DECISION: the route is resolved before the key is checked, and a known path with the wrong
 * method is ROUTE_NOT_FOUND (404), not 405: the docs list no 405 and no Allow header.
 */
export function handleApi(state: SandboxState, request: ApiRequest, gate?: Gate): ApiResponse {
	const path = request.path;
	let params: string[] | undefined;
	const route = routes.find((r) => {
		const match = r.method === request.method ? r.pattern.exec(path) : null;
		params = match ? match.slice(1) : undefined;
		return match !== null;
	});
	if (!route || !params) throw routeNotFound(request.method, path);
	if (!isValidApiKey(state, request.headers.apikey)) {
		throw new ApiError(401, 'UNAUTHORIZED', 'Invalid API key');
	}
	const connectionId = request.headers['x-connection-id']?.trim() ?? '';
	if (route.connectionScoped && connectionId === '') {
		throw badRequest('Missing x-connection-id header');
	}
	if (route.connectionScoped) gate?.(connectionId);
	return { status: 200, body: route.run(state, request, connectionId, params) };
}

/**
 * The list a request would sync, or undefined when it is not a sync. Canonical when well formed
 * ("01001" → "1001"), else the decoded segment as sent.
 */
export function syncListIdOf(method: string, path: string): string | undefined {
	const match = method === 'PUT' ? SYNC_PATH.exec(path) : null;
	if (!match) return undefined;
	let listId = match[1];
	try {
		listId = decodeURIComponent(listId);
	} catch {
		return listId;
	}
	return LIST_ID_PATTERN.test(listId) ? String(Number(listId)) : listId;
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw badRequest(`Malformed path segment "${segment}"`);
	}
}
