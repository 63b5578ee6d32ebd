/**
 * The rate limiter's settings (spec §3.3): what they mean, their defaults and their checks, shared
 * by startSandbox, the admin API and the CLI.
 */
import { asPositiveNumber, asSettings } from './config-input';
import { badRequest } from './errors';
import { asBoolean, asInteger } from './validate';

export type ResetFormat = 'delta-seconds' | 'epoch-seconds';
export const RESET_FORMATS: readonly ResetFormat[] = ['delta-seconds', 'epoch-seconds'];

export interface RateLimitConfig {
	enabled: boolean;
	/** Burst: the most tokens a bucket holds. */
	capacity: number;
	/** Tokens added per second; fractional and large values are fine. */
	refillPerSecond: number;
	/** Send Retry-After on a 429. */
	retryAfter: boolean;
	/** X-RateLimit-Reset as seconds from now, or as an epoch time in seconds. */
	resetFormat: ResetFormat;
}

export type RateLimitInput = Partial<RateLimitConfig>;

/** The documented Pay as You Go / Starter plan: 60 requests a minute, burst 90; off by default. */
export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
	enabled: false,
	capacity: 90,
	refillPerSecond: 1,
	retryAfter: true,
	resetFormat: 'delta-seconds',
};

const MAX_CAPACITY = 1_000_000;
const MAX_REFILL_PER_SECOND = 1_000_000;
/**
 * DECISION: omitted fields take their defaults, not their current values (PUT replaces), except
 * `enabled`, which is true when omitted: giving a rate-limit setting means wanting one.
 */
export function parseRateLimit(raw: unknown): RateLimitConfig {
	const input = asSettings(raw, 'rateLimit', Object.keys(DEFAULT_RATE_LIMIT));
	const config: RateLimitConfig = { ...DEFAULT_RATE_LIMIT, enabled: true };
	if (input.enabled !== undefined) config.enabled = asBoolean(input.enabled, 'enabled');
	if (input.capacity !== undefined) {
		config.capacity = asInteger(input.capacity, 'capacity', 1, MAX_CAPACITY);
	}
	if (input.refillPerSecond !== undefined) {
		config.refillPerSecond = asPositiveNumber(
			input.refillPerSecond,
			'refillPerSecond',
			MAX_REFILL_PER_SECOND,
		);
	}
	if (input.retryAfter !== undefined) config.retryAfter = asBoolean(input.retryAfter, 'retryAfter');
	if (input.resetFormat !== undefined) {
		if (!(RESET_FORMATS as readonly unknown[]).includes(input.resetFormat)) {
			throw badRequest(`resetFormat must be one of ${RESET_FORMATS.join(', ')}`);
		}
		config.resetFormat = input.resetFormat as ResetFormat;
	}
	return config;
}
