import { optionValue } from '../descriptions/optionLimits';

/**
 * When to try a request again and how long to wait first. Pure, so the policy can be tested without
 * a clock: the caller passes `now` and `random`.
 */
export interface RetryPolicy {
	/** Retries after the first attempt. */
	maxRetries: number;
	/** The longest single wait, whatever the server asks for. */
	maxWaitMs: number;
	/** How long one attempt may take before it counts as a timeout. */
	timeoutMs: number;
}

/** The node's defaults, as the editor shows them. */
export const DEFAULT_POLICY: RetryPolicy = {
	maxRetries: optionValue('maxRetries', undefined),
	maxWaitMs: optionValue('maxWait', undefined) * 1000,
	timeoutMs: optionValue('timeout', undefined) * 1000,
};

/** The editor's dropdowns should answer quickly or say why not. */
export const DROPDOWN_POLICY: RetryPolicy = { maxRetries: 1, maxWaitMs: 2_000, timeoutMs: 30_000 };

/** First backoff step; doubled per retry, then capped by maxWaitMs. */
const BACKOFF_BASE_MS = 1_000;

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Network failures after which the request may not have reached OFAuth, or its answer got lost. */
export const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'EAI_AGAIN',
]);

export type Outcome =
	| { kind: 'answer'; statusCode: number; headers: Record<string, unknown> }
	/** A 2xx whose body is not JSON: a truncated or proxied answer, worth asking for again. */
	| { kind: 'garbled' }
	| { kind: 'unreachable'; code?: string };

export function isRetryable(outcome: Outcome): boolean {
	if (outcome.kind === 'answer') return RETRYABLE_STATUS.has(outcome.statusCode);
	if (outcome.kind === 'garbled') return true;
	return outcome.code !== undefined && RETRYABLE_NETWORK_CODES.has(outcome.code);
}

export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	const text = Array.isArray(value) ? value[0] : value;
	return typeof text === 'string' && text.trim() !== '' ? text.trim() : undefined;
}

/** Retry-After is whole seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * OFAuth documents X-RateLimit-Reset as when full capacity returns, but not its unit. Both readings
 * are handled: a large number is a Unix time (in seconds, or milliseconds), a small one a delay in seconds.
 */
export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
	if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
	const number = Number(value);
	if (number >= 1e12) return Math.max(0, number - now);
	if (number >= 1e9) return Math.max(0, number * 1000 - now);
	return number * 1000;
}

/** Exponential backoff with full jitter: anywhere between 0 and the capped step. */
function backoffMs(retry: number, policy: RetryPolicy, random: () => number): number {
	const step = Math.min(policy.maxWaitMs, BACKOFF_BASE_MS * 2 ** (retry - 1));
	return Math.floor(random() * step);
}

/** How long to wait before retry number `retry` (1 for the first retry). */
export function retryDelayMs(
	outcome: Outcome,
	retry: number,
	policy: RetryPolicy,
	now: number,
	random: () => number,
): number {
	if (outcome.kind === 'answer') {
		const asked =
			parseRetryAfter(headerValue(outcome.headers, 'retry-after'), now) ??
			(outcome.statusCode === 429
				? parseRateLimitReset(headerValue(outcome.headers, 'x-ratelimit-reset'), now)
				: undefined);
		if (asked !== undefined) return Math.min(policy.maxWaitMs, Math.ceil(asked));
	}
	return backoffMs(retry, policy, random);
}
