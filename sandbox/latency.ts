/**
 * Simulated server latency: how long a request that passed every check stays in flight before
 * it is answered. Syncs and the other API routes have separate settings.
 */
import { asSettings } from './config-input';
import { asInteger } from './validate';

export interface LatencyConfig {
	/** For PUT /v2/vault-plus/lists/:listId/sync. */
	syncMs: number;
	/** For every other API route. */
	otherMs: number;
}

export type LatencyInput = Partial<LatencyConfig>;

export const NO_LATENCY: LatencyConfig = { syncMs: 0, otherMs: 0 };

/** As long as the longest fault delay, so a forgotten setting cannot hang a run for ever. */
export const MAX_LATENCY_MS = 60_000;

/** DECISION: omitted fields are 0, not their current values (PUT replaces). */
export function parseLatency(raw: unknown): LatencyConfig {
	const input = asSettings(raw, 'latency', Object.keys(NO_LATENCY));
	const ms = (value: unknown, where: string) =>
		value === undefined ? 0 : asInteger(value, where, 0, MAX_LATENCY_MS);
	return { syncMs: ms(input.syncMs, 'syncMs'), otherMs: ms(input.otherMs, 'otherMs') };
}
