import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { parseJson } from './answer';
import { headerValue } from './retry';

/** What a failed call was about, so that messages can name the connection and list. */
export interface RequestSubject {
	connectionId?: string;
	listId?: string;
	itemIndex?: number;
}

/** OFAuth documents two error bodies; both are read, whichever came back. */
export interface OfAuthErrorBody {
	message?: string;
	code?: string;
	requestId?: string;
	actionRequired?: string;
}

export interface FailedResponse {
	statusCode: number;
	/** The start of the body, as text. */
	body: string;
	headers: Record<string, unknown>;
}

/** How a request that was tried more than once ended. */
export interface AttemptHistory {
	attempts: number;
	elapsedMs: number;
	/** The execution was cancelled while waiting to try again. */
	cancelled: boolean;
}

function describeHistory(history: AttemptHistory | undefined, last: string): string | undefined {
	if (!history) return undefined;
	const seconds = (history.elapsedMs / 1000).toFixed(1);
	const tries = `${history.attempts} attempt${history.attempts === 1 ? '' : 's'} over ${seconds} s`;
	if (history.cancelled) return `The execution was cancelled while waiting to try again, after ${tries}; ${last}.`;
	if (history.attempts === 1) return undefined;
	return `Gave up after ${tries}; ${last}.`;
}

interface Explanation {
	message: string;
	description: string;
}

const MAX_QUOTED_LENGTH = 500;
/** Of a text error page, only this much is read for a message. */
const MAX_SCANNED_LENGTH = 4096;

/**
 * Every form in which a server or proxy could hand the key back: as stored (with a pasted space or
 * newline), as sent (trimmed), escaped inside JSON, and URL-encoded. Longest first, so that a form
 * containing another is redacted whole.
 */
export function secretForms(storedKey: string): string[] {
	const forms = new Set<string>();
	for (const key of [storedKey, storedKey.trim()]) {
		if (key === '') continue;
		const encoded = encodeURIComponent(key);
		forms.add(key);
		const escaped = JSON.stringify(key).slice(1, -1);
		forms.add(escaped);
		// Some JSON writers (PHP's among them) also escape the slash.
		forms.add(escaped.replace(/\//g, '\\/'));
		forms.add(encoded);
		forms.add(encoded.replace(/%20/g, '+'));
		forms.add(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
	}
	return [...forms].sort((a, b) => b.length - a.length);
}

/** Removes every secret from text that came from outside, so no message can echo the API key. */
export function redact(text: string, secrets: readonly string[]): string {
	return secrets
		.filter((secret) => secret.length > 0)
		.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

/**
 * Cuts text to about `limit` characters before anything else reads it, without ending inside a
 * secret: a secret that straddles the cut is kept whole, so redaction still finds it.
 */
export function cutText(text: string, limit: number, secrets: readonly string[]): string {
	let end = Math.min(text.length, limit);
	for (let moved = true; moved && end < text.length; ) {
		moved = false;
		for (const secret of secrets) {
			if (secret.length < 2) continue;
			const from = Math.max(0, end - secret.length + 1);
			const at = text.slice(from, end + secret.length - 1).indexOf(secret);
			if (at !== -1 && from + at + secret.length > end) {
				end = from + at + secret.length;
				moved = true;
			}
		}
	}
	return text.slice(0, end);
}

function jsonText(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

export function quote(value: unknown, secrets: readonly string[]): string {
	const text = typeof value === 'string' ? value : jsonText(value);
	const cut = cutText(text, MAX_QUOTED_LENGTH, secrets);
	const shown = redact(cut, secrets);
	return cut.length < text.length || shown.length > MAX_QUOTED_LENGTH
		? `${shown.slice(0, MAX_QUOTED_LENGTH)}…`
		: shown;
}

function asText(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Tags out, in one pass: a regular expression for this is quadratic on a page full of '<'. */
export function stripTags(html: string): string {
	let text = '';
	for (let at = 0; at < html.length; ) {
		const open = html.indexOf('<', at);
		const close = open === -1 ? -1 : html.indexOf('>', open + 1);
		if (close === -1) return text + html.slice(at);
		text += `${html.slice(at, open)} `;
		at = close + 1;
	}
	return text;
}

/** Reads either documented error body from the (already bounded) text of an error answer. */
export function parseErrorBody(body: string, secrets: readonly string[]): OfAuthErrorBody {
	const json = parseJson(body);
	if (!json.ok) {
		const page = stripTags(cutText(body, MAX_SCANNED_LENGTH, secrets));
		return { message: asText(page.replace(/\s+/g, ' ')) };
	}
	const parsed = json.value;
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
	const fields = parsed as Record<string, unknown>;
	const nestedError =
		fields.error !== null && typeof fields.error === 'object'
			? (fields.error as Record<string, unknown>)
			: undefined;
	return {
		message: asText(fields.error) ?? asText(fields.message) ?? asText(nestedError?.message),
		code: asText(fields.type) ?? asText(fields.code) ?? asText(nestedError?.code),
		requestId: asText(fields.requestId) ?? asText(fields.request_id),
		actionRequired: asText(fields.actionRequired),
	};
}

function itemSuffix(subject: RequestSubject): string {
	return subject.itemIndex === undefined ? '' : ` [item ${subject.itemIndex}]`;
}

function connectionName(subject: RequestSubject): string {
	return subject.connectionId ? `connection ${subject.connectionId}` : 'the connection';
}

function explain(status: number, body: OfAuthErrorBody, subject: RequestSubject): Explanation {
	const code = body.code?.toUpperCase() ?? '';
	const connection = connectionName(subject);
	const list = subject.listId ? `vault list ${subject.listId}` : 'the vault list';

	if (status === 401 && (code === 'SESSION_EXPIRED' || code === 'SESSION_NOT_PROVIDED')) {
		return {
			message:
				code === 'SESSION_EXPIRED'
					? `The OnlyFans session of ${connection} has expired`
					: `OFAuth has no OnlyFans session for ${connection}`,
			description:
				"Reconnect this OnlyFans account through OFAuth Link, then run the workflow again. The API key is fine and needs no change. If the connection was removed, pick another one in 'Connection'.",
		};
	}
	if (status === 401 && code === 'RULES_OUTDATED') {
		return {
			message: 'OFAuth is refreshing its OnlyFans request rules',
			description: 'This clears by itself within moments; run the workflow again.',
		};
	}
	if (status === 401) {
		return {
			message: 'OFAuth rejected the API key',
			description:
				"Open the 'OFAuth API' credential and paste a valid key from API Keys in the OFAuth dashboard. Check that the key was not revoked and that 'Base URL' points at the OFAuth API.",
		};
	}
	if (status === 403) {
		return {
			message: `OFAuth refused access to Vault+ for ${connection}`,
			description:
				'Enable Vault+ for this connection in OFAuth (connection settings), and make sure the connection granted the vault permissions (vault:read) and the API key may use them.',
		};
	}
	if (status === 404 && code === 'ROUTE_NOT_FOUND') {
		return {
			message: 'The OFAuth API at the configured Base URL has no such endpoint',
			description:
				"Check 'Base URL' in the 'OFAuth API' credential: it should be https://api.ofauth.com unless OFAuth told you otherwise.",
		};
	}
	if (status === 404) {
		return {
			message: subject.listId
				? `Vault list ${subject.listId} or ${connection} was not found`
				: `${connection.charAt(0).toUpperCase()}${connection.slice(1)} was not found`,
			description: subject.listId
				? `Check that ${list} exists in the OnlyFans vault of ${connection} (choose it from the list to be sure) and that the connection ID is right.`
				: 'Check the connection ID, or choose the connection from the list.',
		};
	}
	if (status === 409) {
		return {
			message: `Another sync of ${list} is still running`,
			description: 'Wait for it to finish, then run this one again.',
		};
	}
	if (status === 429) {
		return {
			message: `OFAuth's rate limit for ${connection} was reached`,
			description:
				'OFAuth allows about 60 requests a minute per connection (bursts of 90). Wait a minute and run again, or space out syncs of the same connection.',
		};
	}
	if (status >= 500) {
		return {
			message: `OFAuth could not complete the request (HTTP ${status})`,
			description:
				'The trouble is on the side of OFAuth or OnlyFans, not in this workflow. Run it again later; if it keeps happening, contact OFAuth support with the request ID.',
		};
	}
	if (status === 400 || status === 422) {
		return {
			message: `OFAuth did not accept the request for ${list}`,
			description: 'Check the connection and vault list IDs.',
		};
	}
	return {
		message: `OFAuth answered with HTTP ${status}`,
		description: 'This status is not documented for this endpoint.',
	};
}

/** Why a connection needs reconnecting, as its listed status would say it. */
export type ReconnectReason = 'expired' | 'no_session';

const needingReconnect = new WeakMap<Error, ReconnectReason>();

/**
 * Whether this error is OFAuth's answer that the connection's OnlyFans session is gone (401
 * SESSION_EXPIRED or SESSION_NOT_PROVIDED): the connection needs reconnecting, the key is fine.
 */
export function reconnectReason(error: unknown): ReconnectReason | undefined {
	return error instanceof Error ? needingReconnect.get(error) : undefined;
}

/** Turns a non-2xx OFAuth answer into an error that says what happened and how to fix it. */
export function ofAuthApiError(
	node: INode,
	response: FailedResponse,
	subject: RequestSubject,
	secrets: readonly string[],
	history?: AttemptHistory,
): NodeApiError {
	const body = parseErrorBody(response.body, secrets);
	const requestId = body.requestId ?? headerValue(response.headers, 'x-request-id');
	const retryAfter = headerValue(response.headers, 'retry-after');
	const { message, description } = explain(response.statusCode, body, subject);
	const said = [body.code, body.message].filter(Boolean).join(': ');

	const lastAnswer = `the last answer was HTTP ${response.statusCode}${requestId ? ` (request ID ${quote(requestId, secrets)})` : ''}`;
	const facts = [
		said ? `OFAuth said: ${quote(said, secrets)}.` : undefined,
		body.actionRequired ? `Action required: ${quote(body.actionRequired, secrets)}.` : undefined,
		retryAfter ? `Retry-After: ${quote(retryAfter, secrets)}.` : undefined,
		requestId ? `Request ID: ${quote(requestId, secrets)}.` : undefined,
		describeHistory(history, lastAnswer),
	].filter(Boolean);

	const errorData: JsonObject = {
		message,
		httpCode: String(response.statusCode),
		...(body.code ? { type: redact(body.code, secrets) } : {}),
		...(requestId ? { requestId: redact(requestId, secrets) } : {}),
	};
	const error = new NodeApiError(node, errorData, {
		message: `${message}${itemSuffix(subject)}`,
		description: [description, ...facts].join(' '),
		httpCode: String(response.statusCode),
		itemIndex: subject.itemIndex,
	});
	const code = body.code?.toUpperCase();
	if (response.statusCode === 401 && code === 'SESSION_EXPIRED') needingReconnect.set(error, 'expired');
	if (response.statusCode === 401 && code === 'SESSION_NOT_PROVIDED') needingReconnect.set(error, 'no_session');
	return error;
}

export interface UnexpectedAnswer {
	what: string;
	problems: string[];
	received: unknown;
	subject: RequestSubject;
	secrets: readonly string[];
	history?: AttemptHistory;
}

/** For answers that arrived with a success status but cannot be used: not JSON, or the wrong shape. */
export function unexpectedAnswerError(node: INode, answer: UnexpectedAnswer): NodeApiError {
	const { what, problems, received, subject, secrets, history } = answer;
	const retried = describeHistory(history, 'the last answer had no usable body');
	return new NodeApiError(
		node,
		{ message: what },
		{
			message: `${what}${itemSuffix(subject)}`,
			description: `${quote(problems.join('; '), secrets)}. Received: ${quote(received, secrets)}. Nothing was output for this item; check that 'Base URL' in the 'OFAuth API' credential points at the OFAuth API.${retried ? ` ${retried}` : ''}`,
			itemIndex: subject.itemIndex,
		},
	);
}

const NETWORK_CODES: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved',
	ETIMEDOUT: 'it did not answer within the timeout',
	ECONNABORTED: 'it did not answer within the timeout',
	ESOCKETTIMEDOUT: 'it did not answer within the timeout',
	EPIPE: 'the connection was closed',
	ERR_CANCELED: 'the execution was cancelled',
};

/** The Node.js network code of a failed request, found through n8n's and axios' wrappers. */
export function networkCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const candidate = current as { code?: unknown; cause?: unknown };
		if (typeof candidate.code === 'string' && candidate.code in NETWORK_CODES) return candidate.code;
		current = candidate.cause;
	}
	const text = error instanceof Error ? error.message : String(error);
	return Object.keys(NETWORK_CODES).find((code) => text.includes(code));
}

/** For requests that got no HTTP answer at all. Built from the network code only: the raw error carries the request headers. */
export function unreachableError(
	node: INode,
	code: string | undefined,
	host: string,
	subject: RequestSubject,
	history?: AttemptHistory,
): NodeApiError {
	const reason = code ? NETWORK_CODES[code] : 'the request did not complete';
	const retried = describeHistory(history, `the last try: ${reason}`);
	return new NodeApiError(
		node,
		// Under "code", n8n would swap this message for a generic one.
		{ message: `Could not reach OFAuth at ${host}`, ...(code ? { networkCode: code } : {}) },
		{
			message: `Could not reach OFAuth at ${host}: ${reason}${itemSuffix(subject)}`,
			description: `Check 'Base URL' in the 'OFAuth API' credential and that this n8n instance can reach it. Run again once the network is back; the sync is safe to repeat.${retried ? ` ${retried}` : ''}`,
			itemIndex: subject.itemIndex,
		},
	);
}
