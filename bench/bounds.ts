/** Lower bounds on wall time that any schedule obeying the node's rules must respect. */
import type { FanOutTarget } from '../sandbox/fan-out-seed';

/** One sync at a time per connection, at most `maxConcurrent` at once, each sync `latencyMs` long. */
export function scheduleLowerBoundMs(targets: FanOutTarget[], latencyMs: number, maxConcurrent: number): number {
	const perConnection = new Map<string, number>();
	for (const target of targets) perConnection.set(target.connectionId, (perConnection.get(target.connectionId) ?? 0) + 1);
	const longestChain = Math.max(...perConnection.values()) * latencyMs;
	const byCapacity = Math.ceil(targets.length / maxConcurrent) * latencyMs;
	return Math.max(longestChain, byCapacity);
}

/**
 * A connection's `syncs` one after another, each taking a token from a bucket of `capacity` that
 * refills `refillPerSecond`: the earliest each can start, and so when the last can end.
 */
export function bucketLowerBoundMs(syncs: number, latencyMs: number, capacity: number, refillPerSecond: number): number {
	let tokens = capacity;
	let clock = 0;
	let end = 0;
	for (let sync = 0; sync < syncs; sync++) {
		const start = Math.max(clock, end);
		tokens = Math.min(capacity, tokens + ((start - clock) / 1000) * refillPerSecond);
		clock = start;
		const wait = tokens >= 1 ? 0 : ((1 - tokens) / refillPerSecond) * 1000;
		clock += wait;
		tokens = Math.min(capacity, tokens + (wait / 1000) * refillPerSecond) - 1;
		end = clock + latencyMs;
	}
	return end;
}
