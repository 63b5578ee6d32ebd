/**
 * Concurrency statistics of API requests, for checking that a client serialises what it should
 * (one sync per list, one request per connection) and parallelises the rest. A request is in
 * flight from when the sandbox has read it until its answer is finished or its socket is gone.
 */

export interface ConcurrencyStats {
	/** API requests started. */
	requests: number;
	maxInFlight: number;
	/** By x-connection-id; requests without one are not counted here. */
	maxInFlightPerConnection: Record<string, number>;
	/** Requests that started while another request of the same connection was in flight. */
	sameConnectionOverlaps: number;
	/** Syncs that started while another sync of the same connection and list was in flight. */
	sameListSyncOverlaps: number;
}

export interface InFlightRequest {
	/** The trimmed x-connection-id, if any. */
	connectionId?: string;
	/** The list id, when the request is a sync. */
	syncListId?: string;
}

export class StatsRecorder {
	private counters: ConcurrencyStats = emptyStats();
	private inFlight = 0;
	private perConnection = new Map<string, number>();
	private perListSync = new Map<string, number>();

	/** Records a request start; call the returned function (any number of times) when it ends. */
	start(request: InFlightRequest): () => void {
		const { connectionId, syncListId } = request;
		const counters = this.counters;
		counters.requests++;
		this.inFlight++;
		counters.maxInFlight = Math.max(counters.maxInFlight, this.inFlight);
		let syncKey: string | undefined;
		if (connectionId !== undefined) {
			const running = increment(this.perConnection, connectionId);
			if (running > 1) counters.sameConnectionOverlaps++;
			const max = counters.maxInFlightPerConnection[connectionId] ?? 0;
			counters.maxInFlightPerConnection[connectionId] = Math.max(max, running);
			if (syncListId !== undefined) {
				syncKey = JSON.stringify([connectionId, syncListId]);
				if (increment(this.perListSync, syncKey) > 1) counters.sameListSyncOverlaps++;
			}
		}
		let ended = false;
		return () => {
			if (ended) return;
			ended = true;
			this.inFlight--;
			if (connectionId !== undefined) decrement(this.perConnection, connectionId);
			if (syncKey !== undefined) decrement(this.perListSync, syncKey);
		};
	}

	snapshot(): ConcurrencyStats {
		const { maxInFlightPerConnection } = this.counters;
		return { ...this.counters, maxInFlightPerConnection: { ...maxInFlightPerConnection } };
	}

	/**
	 * DECISION: clearing zeroes the counters only. Requests still in flight stay in flight, so a
	 * request started after the clear still sees them as overlapping.
	 */
	clear(): ConcurrencyStats {
		const cleared = this.snapshot();
		this.counters = emptyStats();
		return cleared;
	}
}

function emptyStats(): ConcurrencyStats {
	return {
		requests: 0,
		maxInFlight: 0,
		maxInFlightPerConnection: {},
		sameConnectionOverlaps: 0,
		sameListSyncOverlaps: 0,
	};
}

function increment(map: Map<string, number>, key: string): number {
	const value = (map.get(key) ?? 0) + 1;
	map.set(key, value);
	return value;
}

function decrement(map: Map<string, number>, key: string): void {
	const value = (map.get(key) ?? 0) - 1;
	if (value > 0) map.set(key, value);
	else map.delete(key);
}
