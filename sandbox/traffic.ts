/**
 * How the sandbox's API behaves as a server, apart from what it answers: rate limits, random
 * faults, latency and concurrency statistics. One object, so that reset has one thing to reset.
 */
import { NO_LATENCY, parseLatency, type LatencyConfig, type LatencyInput } from './latency';
import { RandomFaults } from './random-faults';
import { RateLimiter } from './rate-limit';
import {
	DEFAULT_RATE_LIMIT,
	parseRateLimit,
	type RateLimitConfig,
	type RateLimitInput,
} from './rate-limit-config';
import { StatsRecorder } from './stats';

export interface TrafficOptions {
	/** Validated as PUT /__sandbox/rate-limit validates it. Default: off. */
	rateLimit?: RateLimitInput;
	/** Validated as PUT /__sandbox/latency validates it. Default: none. */
	latency?: LatencyInput;
	/** The rate limiter's clock, in epoch milliseconds. Default Date.now. */
	now?: () => number;
}

export class Traffic {
	readonly limiter: RateLimiter;
	readonly randomFaults = new RandomFaults();
	readonly stats = new StatsRecorder();
	latency: LatencyConfig;
	private readonly start: { rateLimit: RateLimitConfig; latency: LatencyConfig };

	constructor(options: TrafficOptions = {}) {
		this.start = {
			rateLimit: options.rateLimit ? parseRateLimit(options.rateLimit) : DEFAULT_RATE_LIMIT,
			latency: options.latency ? parseLatency(options.latency) : NO_LATENCY,
		};
		this.limiter = new RateLimiter(this.start.rateLimit, options.now);
		this.latency = { ...this.start.latency };
	}

	/**
	 * DECISION: back to how the sandbox was started: the start rate limit and latency (or the
	 * defaults), full buckets, random faults off, statistics zeroed.
	 */
	reset(): void {
		this.limiter.configure(this.start.rateLimit);
		this.latency = { ...this.start.latency };
		this.randomFaults.clear();
		this.stats.clear();
	}
}
