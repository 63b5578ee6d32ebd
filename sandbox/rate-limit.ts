/**
 * Per-connection token buckets for the Access and Vault+ API (spec §3.3): each connection starts
 * with `capacity` tokens, a request takes one, and tokens come back at `refillPerSecond` up to
 * `capacity`. The clock is injectable so the model can be tested without waiting.
 */
import { ApiError } from './errors';
import { DEFAULT_RATE_LIMIT, type RateLimitConfig } from './rate-limit-config';

/** Float slack, so 0.1 + 0.2 style sums still make a whole token. */
const EPSILON = 1e-9;

export interface RateDecision {
	allowed: boolean;
	/** To send with the answer, whatever it turns out to be. */
	headers: Record<string, string>;
}

interface Bucket {
	tokens: number;
	/** Clock time (ms) the tokens were last brought up to date. */
	at: number;
}

export class RateLimiter {
	private settings: RateLimitConfig;
	private buckets = new Map<string, Bucket>();

	constructor(
		config: RateLimitConfig = DEFAULT_RATE_LIMIT,
		private readonly now: () => number = Date.now,
	) {
		this.settings = { ...config };
	}

	config(): RateLimitConfig {
		return { ...this.settings };
	}

	/** DECISION: a new configuration starts every connection with a full bucket. */
	configure(config: RateLimitConfig): void {
		this.settings = { ...config };
		this.refillAll();
	}

	refillAll(): void {
		this.buckets.clear();
	}

	/** Tokens left for a connection now (fractional), without taking one. */
	tokens(connectionId: string): number {
		return this.bucket(connectionId).tokens;
	}

	/** Takes a token for the request; undefined when rate limiting is off. */
	take(connectionId: string): RateDecision | undefined {
		if (!this.settings.enabled) return undefined;
		const bucket = this.bucket(connectionId);
		const allowed = bucket.tokens >= 1 - EPSILON;
		if (allowed) bucket.tokens = Math.max(0, bucket.tokens - 1);
		return { allowed, headers: this.headers(bucket, allowed) };
	}

	private bucket(connectionId: string): Bucket {
		const now = this.now();
		const { capacity, refillPerSecond } = this.settings;
		let bucket = this.buckets.get(connectionId);
		if (!bucket) {
			bucket = { tokens: capacity, at: now };
			this.buckets.set(connectionId, bucket);
		}
		// A clock that goes backwards refills nothing rather than draining the bucket.
		const elapsed = Math.max(0, now - bucket.at) / 1000;
		bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * refillPerSecond);
		bucket.at = now;
		return bucket;
	}

	private headers(bucket: Bucket, allowed: boolean): Record<string, string> {
		const { capacity, refillPerSecond, resetFormat, retryAfter } = this.settings;
		const untilFull = Math.max(0, capacity - bucket.tokens) / refillPerSecond;
		const reset = resetFormat === 'delta-seconds' ? untilFull : bucket.at / 1000 + untilFull;
		const headers: Record<string, string> = {
			'X-RateLimit-Limit': String(capacity),
			'X-RateLimit-Remaining': String(Math.floor(bucket.tokens + EPSILON)),
			'X-RateLimit-Reset': reset.toFixed(3),
		};
		if (!allowed && retryAfter) {
			// HTTP allows whole seconds only: round up, so a client that obeys it is never early.
			const untilOne = (1 - bucket.tokens) / refillPerSecond;
			headers['Retry-After'] = String(Math.max(1, Math.ceil(untilOne - EPSILON)));
		}
		return headers;
	}
}

export const rateLimitExceeded = () =>
	new ApiError(429, 'RATE_LIMIT_EXCEEDED', 'Rate limit exceeded');
