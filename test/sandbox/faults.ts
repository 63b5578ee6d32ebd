/**
 * Fault injection: a queue of one-shot misbehaviours for the next matching API requests, so tests
 * can exercise a client's retries, timeouts and error mapping against a server that is otherwise
 * behaving. Admin requests never match.
 */
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
	/** Answer with this status instead of running the request; default 200 when a body is given. */
	status?: number;
	/** Sent as JSON. Without it, an error status gets the documented error body for that status. */
	body?: unknown;
	/** Sent as is, instead of `body`. */
	rawBody?: string;
	/** Added to the response, faulted or not (e.g. retry-after, x-ratelimit-reset). */
	headers?: Record<string, string>;
	/** Wait this long first. Alone (no status/body/malformed/drop), the request then runs. */
	delayMs?: number;
	/** Answer 200 (or `status`) with a JSON content type and a truncated JSON body. */
	malformed?: boolean;
	/** Destroy the socket without answering. */
	drop?: boolean;
}

export type FaultKind = 'drop' | 'malformed' | 'respond' | 'delay';

export interface Fault extends Required<Pick<FaultSpec, 'count' | 'match'>> {
	id: number;
	kind: FaultKind;
	remaining: number;
	spec: FaultSpec;
}

/** DECISION: delays are capped so a forgotten fault cannot hang a test run past its timeout. */
export const MAX_FAULT_DELAY_MS = 60_000;
/** What a `malformed` fault sends: JSON cut off mid-value. */
export const MALFORMED_BODY = '{"synced": tru';

export function parseFault(raw: unknown): FaultSpec {
	const input = asObject(raw ?? {}, 'fault');
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
	if (input.headers !== undefined) spec.headers = parseHeaders(input.headers);
	if (input.delayMs !== undefined) {
		spec.delayMs = asInteger(input.delayMs, 'delayMs', 0, MAX_FAULT_DELAY_MS);
	}
	if (input.malformed !== undefined) spec.malformed = asBoolean(input.malformed, 'malformed');
	if (input.drop !== undefined) spec.drop = asBoolean(input.drop, 'drop');

	const bodies = [spec.body !== undefined, spec.rawBody !== undefined, spec.malformed === true];
	if (bodies.filter(Boolean).length > 1) {
		throw badRequest('give at most one of body, rawBody and malformed');
	}
	if (spec.drop && (bodies.some(Boolean) || spec.status !== undefined)) {
		throw badRequest('a drop fault sends nothing, so it takes no status or body');
	}
	return spec;
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
	if (spec.status !== undefined || spec.body !== undefined || spec.rawBody !== undefined) {
		return 'respond';
	}
	return 'delay';
}

export class FaultQueue {
	private faults: Fault[] = [];
	private nextId = 1;

	add(spec: FaultSpec): Fault {
		const fault: Fault = {
			id: this.nextId++,
			kind: kindOf(spec),
			count: spec.count ?? 1,
			remaining: spec.count ?? 1,
			match: spec.match ?? {},
			spec,
		};
		this.faults.push(fault);
		return fault;
	}

	/** The oldest pending fault matching the request, with one use consumed. */
	take(method: string, path: string): Fault | undefined {
		const fault = this.faults.find((f) => matches(f.match, method, path));
		if (!fault) return undefined;
		fault.remaining--;
		if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
		return fault;
	}

	pending(): Fault[] {
		return this.faults.map((f) => ({ ...f, match: { ...f.match } }));
	}

	clear(): void {
		this.faults = [];
	}
}
