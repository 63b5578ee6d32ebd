/**
 * What a fault is: the FaultSpec a test posts, its checks (a bad spec is a 400 that says why), and
 * the defaults every part of the sandbox reads from here: kind, status, limits.
 */
import { validateHeaderValue } from 'node:http';
import { asSettings } from './config-input';
import type { RepeatedText } from './delivery';
import { badRequest } from './errors';
import { asBoolean, asInteger, asObject, asString, isObject } from './validate';

export interface FaultMatch {
	/** Case-insensitive; any method when absent. */
	method?: string;
	/** Compared with the raw (undecoded) request path; any path when absent. */
	pathPrefix?: string;
}

export interface FaultSpec {
	/** How many matching requests get the fault. Default 1. */
	count?: number;
	match?: FaultMatch;
	/**
	 * Answer with this status instead of running the request; default 200 when a body is given,
	 * 401 with echoApiKey.
	 */
	status?: number;
	/** Sent as JSON. Without it, an error status gets the documented error body for that status. */
	body?: unknown;
	/** Sent as is, instead of `body`. */
	rawBody?: string;
	/**
	 * A body of `text` repeated `times` times (1 to 50 000 000), e.g. 2 MB of `<`: made and sent in
	 * chunks with its content-length, as text/html unless `contentType` is given.
	 */
	repeatBody?: RepeatedText;
	/**
	 * Answer (401 unless `status` is given) with the `apiKey` header the sandbox received ('' when
	 * none), the way a leaky server or proxy would, so a client's redaction can be tested:
	 * - 'body': JSON `{ error: "key <KEY> is not valid", type: "UNAUTHORIZED" }`, the key as sent;
	 * - 'json-escaped': an HTML page (text/html) whose inline script holds
	 *   `"apiKey":"<JSON.stringify(KEY) without its quotes>"`, so a key holding `"` or `\` is
	 *   there only in its escaped form;
	 * - 'url-encoded': JSON `{ error: "see https://x.invalid/?k=<encodeURIComponent(KEY)>" }`, so
	 *   a key holding `+`, `/`, `=` or a space is there only percent-encoded;
	 * - 'header': the response header `x-echo: <KEY>` on the body the fault sends anyway (for a
	 *   bare status, the documented error body).
	 */
	echoApiKey?: EchoForm;
	/** The answer's content type, faulted or the model's, instead of its default. */
	contentType?: string;
	/** Added to the response, faulted or not (e.g. retry-after, x-ratelimit-reset). */
	headers?: Record<string, string>;
	/**
	 * Wait this long first. With nothing that makes an answer (status, a body, echoApiKey,
	 * malformed, drop), the request then runs.
	 */
	delayMs?: number;
	/** Answer 200 (or `status`) with a JSON content type and a truncated JSON body. */
	malformed?: boolean;
	/** Destroy the socket without answering. */
	drop?: boolean;
	/**
	 * Send the answer (the model's when the fault gives none) one byte every `trickleMs` (1 to
	 * 5000): the status and headers at once, then the body a byte at a time.
	 */
	trickleMs?: number;
	/** With trickleMs: the status line and headers are trickled too, written raw to the socket. */
	trickleHeaders?: boolean;
	/**
	 * With trickleMs: after this many bytes (counted from the status line with trickleHeaders) the
	 * answer goes silent and never ends; the socket stays open until the client or close() ends it.
	 */
	trickleBytes?: number;
}

export const ECHO_FORMS = ['body', 'json-escaped', 'url-encoded', 'header'] as const;
export type EchoForm = (typeof ECHO_FORMS)[number];

const FAULT_FIELDS = [
	'count',
	'match',
	'status',
	'body',
	'rawBody',
	'repeatBody',
	'echoApiKey',
	'contentType',
	'headers',
	'delayMs',
	'malformed',
	'drop',
	'trickleMs',
	'trickleHeaders',
	'trickleBytes',
] as const satisfies readonly (keyof FaultSpec)[];

export type FaultKind = 'drop' | 'malformed' | 'respond' | 'delay';

/** DECISION: delays are capped so a forgotten fault cannot hang a test run past its timeout. */
export const MAX_FAULT_DELAY_MS = 60_000;
/** What a `malformed` fault sends: JSON cut off mid-value. */
export const MALFORMED_BODY = '{"synced": tru';
/** An echo fault's status unless it gives one: what a server refusing the key would send. */
export const ECHO_STATUS = 401;
/** DECISION: one byte every 5 s at most; a slower trickle is a hang, which trickleBytes gives. */
export const MAX_TRICKLE_MS = 5000;
export const MAX_REPEAT_TIMES = 50_000_000;

/** DECISION: unknown fields are refused, so a misspelt fault cannot pass as a normal answer. */
export function parseFault(raw: unknown): FaultSpec {
	const input = asSettings(raw, 'fault', FAULT_FIELDS);
	const match = parseMatch(input.match);
	const spec: FaultSpec = {
		count: input.count === undefined ? 1 : asInteger(input.count, 'count', 1, 10_000),
		match,
	};
	if (input.status !== undefined) spec.status = asInteger(input.status, 'status', 100, 599);
	if (input.body !== undefined) spec.body = input.body;
	if (input.rawBody !== undefined) {
		if (typeof input.rawBody !== 'string') throw badRequest('rawBody must be a string');
		spec.rawBody = input.rawBody;
	}
	if (input.repeatBody !== undefined) spec.repeatBody = parseRepeat(input.repeatBody);
	if (input.echoApiKey !== undefined) spec.echoApiKey = asEchoForm(input.echoApiKey);
	if (input.contentType !== undefined) spec.contentType = asContentType(input.contentType);
	if (input.headers !== undefined) spec.headers = parseHeaders(input.headers);
	if (input.delayMs !== undefined) {
		spec.delayMs = asInteger(input.delayMs, 'delayMs', 0, MAX_FAULT_DELAY_MS);
	}
	if (input.malformed !== undefined) spec.malformed = asBoolean(input.malformed, 'malformed');
	if (input.drop !== undefined) spec.drop = asBoolean(input.drop, 'drop');
	if (input.trickleMs !== undefined) {
		spec.trickleMs = asInteger(input.trickleMs, 'trickleMs', 1, MAX_TRICKLE_MS);
	}
	if (input.trickleHeaders !== undefined) {
		spec.trickleHeaders = asBoolean(input.trickleHeaders, 'trickleHeaders');
	}
	if (input.trickleBytes !== undefined) {
		spec.trickleBytes = asInteger(input.trickleBytes, 'trickleBytes', 1, Number.MAX_SAFE_INTEGER);
	}
	checkCombination(spec);
	return spec;
}

/** The fields that make the body; with echoApiKey, except its 'header' form. */
const BODY_FIELDS = ['body', 'rawBody', 'malformed', 'repeatBody'] as const;
/** What a drop, which sends nothing, cannot take. */
const ANSWER_FIELDS = [
	'status',
	...BODY_FIELDS,
	'echoApiKey',
	'contentType',
	'trickleMs',
	'trickleHeaders',
	'trickleBytes',
] as const;

const isGiven = (spec: FaultSpec, field: keyof FaultSpec) =>
	spec[field] !== undefined && spec[field] !== false;

function checkCombination(spec: FaultSpec): void {
	const bodies: string[] = BODY_FIELDS.filter((field) => isGiven(spec, field));
	if (spec.echoApiKey !== undefined && spec.echoApiKey !== 'header') bodies.push('echoApiKey');
	if (bodies.length > 1) {
		throw badRequest(
			`give at most one of body, rawBody, malformed, repeatBody and echoApiKey (but for ` +
				`its 'header' form), not ${bodies.join(' and ')}`,
		);
	}
	if ((isGiven(spec, 'trickleHeaders') || isGiven(spec, 'trickleBytes')) && !spec.trickleMs) {
		throw badRequest('trickleHeaders and trickleBytes need trickleMs');
	}
	const sent = ANSWER_FIELDS.filter((field) => isGiven(spec, field));
	if (spec.drop && sent.length > 0) {
		throw badRequest(`a drop fault sends nothing, so it takes no ${sent.join(', ')}`);
	}
}

function parseRepeat(raw: unknown): RepeatedText {
	const input = asSettings(raw, 'repeatBody', ['text', 'times']);
	return {
		text: asString(input.text, 'repeatBody.text'),
		times: asInteger(input.times, 'repeatBody.times', 1, MAX_REPEAT_TIMES),
	};
}

function asEchoForm(value: unknown): EchoForm {
	if (!(ECHO_FORMS as readonly unknown[]).includes(value)) {
		throw badRequest(`echoApiKey must be one of ${ECHO_FORMS.join(', ')}`);
	}
	return value as EchoForm;
}

function asContentType(value: unknown): string {
	const type = asString(value, 'contentType');
	try {
		validateHeaderValue('content-type', type);
	} catch {
		throw badRequest('contentType must be a valid header value');
	}
	return type;
}

export function parseMatch(raw: unknown): FaultMatch {
	const match: FaultMatch = {};
	if (raw === undefined) return match;
	const input = asObject(raw, 'match');
	if (input.method !== undefined) match.method = asString(input.method, 'match.method');
	if (input.pathPrefix !== undefined) {
		match.pathPrefix = asString(input.pathPrefix, 'match.pathPrefix');
	}
	return match;
}

export function matches(match: FaultMatch, method: string, path: string): boolean {
	return (
		(match.method === undefined || match.method.toUpperCase() === method.toUpperCase()) &&
		(match.pathPrefix === undefined || path.startsWith(match.pathPrefix))
	);
}

function parseHeaders(raw: unknown): Record<string, string> {
	if (!isObject(raw)) throw badRequest('headers must be an object');
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(raw)) {
		if (typeof value !== 'string' && typeof value !== 'number') {
			throw badRequest(`headers.${name} must be a string or number`);
		}
		headers[name.toLowerCase()] = String(value);
	}
	return headers;
}

export function kindOf(spec: FaultSpec): FaultKind {
	if (spec.drop) return 'drop';
	if (spec.malformed) return 'malformed';
	const answers = [spec.status, spec.body, spec.rawBody, spec.repeatBody, spec.echoApiKey];
	if (answers.some((field) => field !== undefined)) return 'respond';
	return 'delay';
}

/** The status a faulted answer has: the given one, else 401 for an echo, else 200. */
export function faultStatus(spec: FaultSpec): number {
	return spec.status ?? (spec.echoApiKey === undefined ? 200 : ECHO_STATUS);
}

/** A copy sharing nothing with the original, so a listing cannot edit a pending fault. */
export const copyFault = (spec: FaultSpec): FaultSpec => structuredClone(spec);
