/**
 * The error vocabulary of the OFAuth API (spec §3.1/§3.2). The model throws these so that the
 * server has one place that turns a broken rule into the documented body
 * `{ error, type, requestId, actionRequired? }`.
 */
export type ErrorType =
	| 'UNAUTHORIZED'
	| 'SESSION_NOT_PROVIDED'
	| 'SESSION_EXPIRED'
	| 'FORBIDDEN'
	| 'BAD_REQUEST'
	| 'RESOURCE_NOT_FOUND'
	| 'ROUTE_NOT_FOUND'
	| 'RATE_LIMIT_EXCEEDED'
	// The docs give server errors a status and a message but no type name; these are ours.
	| 'CONFLICT'
	| 'UNKNOWN_ERROR'
	| 'PROXY_ERROR'
	| 'NETWORK_ERROR'
	| 'GATEWAY_TIMEOUT';

export interface ErrorBody {
	error: string;
	type: string;
	requestId: string;
	actionRequired?: string;
}

/** The hint the docs attach to SESSION_* errors: the user must reconnect through Link. */
export const REAUTHENTICATE = 'reauthenticate';

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly type: ErrorType,
		message: string,
		readonly actionRequired?: string,
	) {
		super(message);
		this.name = 'ApiError';
	}

	toBody(requestId: string): ErrorBody {
		const body: ErrorBody = { error: this.message, type: this.type, requestId };
		if (this.actionRequired !== undefined) body.actionRequired = this.actionRequired;
		return body;
	}
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'RESOURCE_NOT_FOUND', message);
export const routeNotFound = (method: string, path: string) =>
	new ApiError(404, 'ROUTE_NOT_FOUND', `Route ${method} ${path} not found`);

/**
 * The body a fault sends when it names only a status: the documented type for that status, so a
 * client under test sees what OFAuth would send rather than an empty body.
 */
export function errorForStatus(status: number): ApiError {
	const known: Record<number, [ErrorType, string]> = {
		400: ['BAD_REQUEST', 'Bad request'],
		401: ['UNAUTHORIZED', 'Invalid API key'],
		403: ['FORBIDDEN', 'Forbidden'],
		404: ['RESOURCE_NOT_FOUND', 'Resource not found'],
		409: ['CONFLICT', 'Another sync of this list is in progress'],
		429: ['RATE_LIMIT_EXCEEDED', 'Rate limit exceeded'],
		500: ['UNKNOWN_ERROR', 'Unknown error'],
		502: ['PROXY_ERROR', 'Proxy error'],
		503: ['NETWORK_ERROR', 'Network error'],
		504: ['GATEWAY_TIMEOUT', 'Gateway timeout'],
	};
	const [type, message] = known[status] ?? (status >= 500 ? known[500] : known[400]);
	return new ApiError(status, type, message);
}
