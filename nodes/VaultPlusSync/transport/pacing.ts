import { headerValue, parseRateLimitReset } from './retry';

/** Added to each wait, since the headers are rounded to milliseconds. */
const PACING_MARGIN_MS = 5;

/**
 * Spaces a connection's requests by what OFAuth's rate-limit headers say, so that a busy run waits
 * for a token instead of draining the bucket and meeting 429s (whose Retry-After is whole seconds).
 * With X-RateLimit-Remaining at 0 and the bucket full again in X-RateLimit-Reset, one token comes back
 * after Reset / Limit.
 */
export class RatePacer {
	private readonly notBefore = new Map<string, number>();

	/** How long to wait before the next request of this connection. */
	delayFor(connectionId: string, now: number): number {
		return Math.max(0, (this.notBefore.get(connectionId) ?? 0) - now);
	}

	observe(connectionId: string, headers: Record<string, unknown>, now: number): void {
		const remaining = Number(headerValue(headers, 'x-ratelimit-remaining'));
		const limit = Number(headerValue(headers, 'x-ratelimit-limit'));
		const untilFull = parseRateLimitReset(headerValue(headers, 'x-ratelimit-reset'), now);
		if (!Number.isFinite(remaining) || remaining >= 1 || !(limit > 0) || untilFull === undefined) {
			this.notBefore.delete(connectionId);
			return;
		}
		// A little late beats a 429: the headers are rounded to milliseconds.
		const tokenMs = untilFull / limit;
		this.notBefore.set(connectionId, now + tokenMs + Math.max(PACING_MARGIN_MS, tokenMs * 0.02));
	}
}
