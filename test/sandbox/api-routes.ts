/**
 * The public API surface: which method and path reach which model function, and the checks that
 * come before it (route, API key, connection header). No sockets here, so it can be called
 * directly.
 */
import { ApiError, badRequest, routeNotFound } from './errors';
import { isValidApiKey, syncList, whoami, type SandboxState } from './model';
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
		pattern: /^\/v2\/vault-plus\/lists\/([^/]+)\/sync$/,
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
export function handleApi(state: SandboxState, request: ApiRequest): ApiResponse {
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
	return { status: 200, body: route.run(state, request, connectionId, params) };
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw badRequest(`Malformed path segment "${segment}"`);
	}
}
