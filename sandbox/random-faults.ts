/**
 * Seeded random faults: each matching API request independently gets, with probability `rate`, a
 * fault drawn uniformly from `kinds`. The same seed and the same request sequence give the same
 * faults, so a flaky-network run can be replayed.
 */
import { copyFault, faultStatus, kindOf, matches, type FaultSpec } from './fault-spec';
import type { Fault } from './faults';
import { seededRandom, type Random } from './prng';
import type { RandomFaultsConfig } from './random-faults-config';

export interface RandomFaultsStatus {
	enabled: boolean;
	/** The last configuration set; null when none has been since the start or the last reset. */
	config: RandomFaultsConfig | null;
	/** Matching API requests the generator was consulted for. */
	seen: number;
	injected: number;
	/** Injected faults by label: the status ("429"), or "drop", "malformed" or "delay". */
	byKind: Record<string, number>;
}

/** A fault drawn for one request: what the server needs to act on it. */
export type DrawnFault = Pick<Fault, 'kind' | 'spec'>;

export function faultLabel(spec: FaultSpec): string {
	const kind = kindOf(spec);
	if (kind !== 'respond') return kind;
	return String(faultStatus(spec));
}

export class RandomFaults {
	private state: RandomFaultsStatus = emptyStatus();
	private random: Random = seededRandom(0);

	configure(config: RandomFaultsConfig): RandomFaultsStatus {
		this.state = { ...emptyStatus(), enabled: true, config };
		this.random = seededRandom(config.seed);
		return this.status();
	}

	/** Off; the configuration and counts stay readable until the next configure or clear. */
	disable(): RandomFaultsStatus {
		this.state.enabled = false;
		return this.status();
	}

	clear(): void {
		this.state = emptyStatus();
	}

	status(): RandomFaultsStatus {
		const { config } = this.state;
		return {
			...this.state,
			config: config && { ...config, kinds: config.kinds.map(copyFault), match: { ...config.match } },
			byKind: { ...this.state.byKind },
		};
	}

	/**
	 * DECISION: every matching request uses two numbers (hit, kind), even when a queued fault
	 * `preempted` it, so request n's fate depends only on the seed and n.
	 */
	take(method: string, path: string, preempted: boolean): DrawnFault | undefined {
		const { enabled, config } = this.state;
		if (!enabled || !config || !matches(config.match, method, path)) return undefined;
		this.state.seen++;
		const hit = this.random();
		const pick = this.random();
		if (preempted || hit >= config.rate) return undefined;
		const spec = config.kinds[Math.floor(pick * config.kinds.length)];
		const label = faultLabel(spec);
		this.state.injected++;
		this.state.byKind[label] = (this.state.byKind[label] ?? 0) + 1;
		return { kind: kindOf(spec), spec };
	}
}

function emptyStatus(): RandomFaultsStatus {
	return { enabled: false, config: null, seen: 0, injected: 0, byKind: {} };
}
