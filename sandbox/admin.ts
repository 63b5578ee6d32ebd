/**
 * The in-process admin API: everything the HTTP admin routes can do, callable directly on a
 * running Sandbox (`sandbox.admin.setListMedia(...)`).
 */
import { parseFault, type FaultSpec } from './fault-spec';
import { FaultQueue, type Fault } from './faults';
import { parseLatency, type LatencyConfig, type LatencyInput } from './latency';
import type { Connection, ConnectionStatus, SandboxState, VaultList } from './model';
import {
	patchListMedia,
	setListMedia,
	setSessionStatus,
	setVaultPlus,
	type ListContent,
	type ListPatch,
} from './mutations';
import { parseRandomFaults, type RandomFaultsInput } from './random-faults-config';
import type { RandomFaultsStatus } from './random-faults';
import { parseRateLimit, type RateLimitConfig, type RateLimitInput } from './rate-limit-config';
import { RequestLog } from './request-log';
import { buildState, type SandboxSeed } from './seed';
import { snapshot, type StateSnapshot } from './snapshot';
import type { ConcurrencyStats } from './stats';
import type { Traffic } from './traffic';

export interface SandboxAdmin {
	/**
	 * Back to the seed: state rebuilt in place, faults, random faults, request log and stats
	 * cleared, rate limit (with full buckets) and latency back to their start settings.
	 */
	reset(): void;
	snapshot(): StateSnapshot;
	setListMedia(connectionId: string, listId: number, content: ListContent): VaultList;
	patchListMedia(connectionId: string, listId: number, patch: ListPatch): VaultList;
	setSessionStatus(connectionId: string, status: ConnectionStatus): Connection;
	setVaultPlus(connectionId: string, enabled: boolean): Connection;
	/** Validated as the HTTP route validates it; throws ApiError (400) on a bad spec. */
	addFault(spec: FaultSpec): Fault;
	faults(): Fault[];
	clearFaults(): number;
	/** Replaces the configuration (omitted fields: defaults, `enabled` true); refills buckets. */
	setRateLimit(config: RateLimitInput): RateLimitConfig;
	rateLimit(): RateLimitConfig;
	/** Starts a new random-fault run: counts zeroed, generator re-seeded. */
	setRandomFaults(config: RandomFaultsInput): RandomFaultsStatus;
	randomFaults(): RandomFaultsStatus;
	/** Turns random faults off; answers with the final status. */
	clearRandomFaults(): RandomFaultsStatus;
	/** Replaces the latency (omitted fields: 0). */
	setLatency(config: LatencyInput): LatencyConfig;
	latency(): LatencyConfig;
	stats(): ConcurrencyStats;
	/** Zeroes the statistics; answers with what they were. */
	clearStats(): ConcurrencyStats;
}

export interface AdminParts {
	state: SandboxState;
	seed: SandboxSeed;
	/** Replace the seed's keys, e.g. to test a key rotation. */
	apiKeys?: string[];
	faults: FaultQueue;
	log: RequestLog;
	traffic: Traffic;
}

/** A state built from the seed, with the configured keys. */
export function freshState(parts: Pick<AdminParts, 'seed' | 'apiKeys'>): SandboxState {
	const state = buildState(parts.seed);
	if (parts.apiKeys) state.apiKeys = [...parts.apiKeys];
	return state;
}

export function createAdmin(parts: AdminParts): SandboxAdmin {
	const { state, faults, log, traffic } = parts;
	return {
		reset() {
			// In place, so that references to `sandbox.state` taken earlier stay live.
			Object.assign(state, freshState(parts));
			faults.clear();
			log.clear();
			traffic.reset();
		},
		snapshot: () => snapshot(state),
		setListMedia: (connectionId, listId, content) =>
			setListMedia(state, connectionId, listId, content),
		patchListMedia: (connectionId, listId, patch) =>
			patchListMedia(state, connectionId, listId, patch),
		setSessionStatus: (connectionId, status) => setSessionStatus(state, connectionId, status),
		setVaultPlus: (connectionId, enabled) => setVaultPlus(state, connectionId, enabled),
		addFault: (spec) => faults.add(parseFault(spec)),
		faults: () => faults.pending(),
		clearFaults() {
			const cleared = faults.pending().length;
			faults.clear();
			return cleared;
		},
		setRateLimit(config) {
			traffic.limiter.configure(parseRateLimit(config));
			return traffic.limiter.config();
		},
		rateLimit: () => traffic.limiter.config(),
		setRandomFaults: (config) => traffic.randomFaults.configure(parseRandomFaults(config)),
		randomFaults: () => traffic.randomFaults.status(),
		clearRandomFaults: () => traffic.randomFaults.disable(),
		setLatency(config) {
			traffic.latency = parseLatency(config);
			return { ...traffic.latency };
		},
		latency: () => ({ ...traffic.latency }),
		stats: () => traffic.stats.snapshot(),
		clearStats: () => traffic.stats.clear(),
	};
}
