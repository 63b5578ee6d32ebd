import { RatePacer } from '../nodes/VaultPlusSync/transport/pacing';
import {
	isRetryable,
	parseRateLimitReset,
	parseRetryAfter,
	retryDelayMs,
	type RetryPolicy,
} from '../nodes/VaultPlusSync/transport/retry';

const NOW = Date.parse('2026-11-27T03:00:00Z');
const policy: RetryPolicy = { maxRetries: 4, maxWaitMs: 60_000, timeoutMs: 300_000 };
const answer = (statusCode: number, headers: Record<string, string> = {}) =>
	({ kind: 'answer', statusCode, headers }) as const;

describe('which failures are retried', () => {
	it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
		expect(isRetryable(answer(status))).toBe(true);
	});

	it.each([400, 401, 403, 404, 409, 422, 501])('never retries HTTP %i', (status) => {
		expect(isRetryable(answer(status))).toBe(false);
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED'])('retries a request that failed with %s', (code) => {
		expect(isRetryable({ kind: 'unreachable', code })).toBe(true);
	});

	it('does not retry a cancelled request, an unresolvable host or an unknown failure', () => {
		expect(isRetryable({ kind: 'unreachable', code: 'ERR_CANCELED' })).toBe(false);
		expect(isRetryable({ kind: 'unreachable', code: 'ENOTFOUND' })).toBe(false);
		expect(isRetryable({ kind: 'unreachable' })).toBe(false);
	});

	it('retries a success answer whose body is not JSON', () => {
		expect(isRetryable({ kind: 'garbled' })).toBe(true);
	});
});

describe('how long to wait', () => {
	it('reads Retry-After as seconds or as an HTTP date', () => {
		expect(parseRetryAfter('7', NOW)).toBe(7000);
		expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
		expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
		expect(parseRetryAfter('soon', NOW)).toBeUndefined();
	});

	it('reads X-RateLimit-Reset as seconds from now, or as a Unix time in seconds or milliseconds', () => {
		expect(parseRateLimitReset('0.25', NOW)).toBe(250);
		expect(parseRateLimitReset('30', NOW)).toBe(30_000);
		expect(parseRateLimitReset(String(NOW / 1000 + 20), NOW)).toBe(20_000);
		expect(parseRateLimitReset(String(NOW + 1500), NOW)).toBe(1500);
		expect(parseRateLimitReset('-1', NOW)).toBeUndefined();
	});

	it('waits as Retry-After says, before X-RateLimit-Reset', () => {
		const outcome = answer(429, { 'Retry-After': '3', 'X-RateLimit-Reset': '40' });
		expect(retryDelayMs(outcome, 1, policy, NOW, () => 0.5)).toBe(3000);
	});

	it('waits until X-RateLimit-Reset on a 429 without Retry-After', () => {
		expect(retryDelayMs(answer(429, { 'x-ratelimit-reset': '4.5' }), 1, policy, NOW, () => 0.5)).toBe(4500);
	});

	it('never waits longer than Max Wait, whatever the server asks', () => {
		const outcome = answer(429, { 'retry-after': '3600' });
		expect(retryDelayMs(outcome, 1, { ...policy, maxWaitMs: 60_000 }, NOW, () => 0.5)).toBe(60_000);
	});

	it('backs off exponentially with full jitter when the server says nothing', () => {
		const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => retryDelayMs(answer(503), retry, policy, NOW, () => 0.999999));
		expect(waits).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999]);
		expect(retryDelayMs(answer(503), 3, policy, NOW, () => 0)).toBe(0);
	});
});

describe('pacing by rate-limit headers', () => {
	it('waits for one token when the bucket is empty, and not at all while tokens remain', () => {
		const pacer = new RatePacer();
		pacer.observe('conn_a', { 'x-ratelimit-limit': '90', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '1.5' }, NOW);
		expect(pacer.delayFor('conn_a', NOW)).toBe(0);

		pacer.observe('conn_a', { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '60' }, NOW);
		expect(pacer.delayFor('conn_a', NOW)).toBe(1000 + 20);
		expect(pacer.delayFor('conn_a', NOW + 600)).toBe(420);
		expect(pacer.delayFor('conn_b', NOW)).toBe(0);
	});

	it('reads a Unix-time reset as well, and ignores answers without the headers', () => {
		const pacer = new RatePacer();
		pacer.observe('conn_a', { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 1) }, NOW);
		expect(pacer.delayFor('conn_a', NOW)).toBe(100 + 5);

		pacer.observe('conn_a', {}, NOW);
		expect(pacer.delayFor('conn_a', NOW)).toBe(0);
	});
});
