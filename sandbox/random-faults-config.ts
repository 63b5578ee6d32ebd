/**
 * The settings of seeded random faults: their shape, the default fault kinds and their checks.
 */
import { asNumberIn, asSettings } from './config-input';
import { badRequest } from './errors';
import { copyFault, parseFault, parseMatch, type FaultMatch, type FaultSpec } from './fault-spec';
import { asInteger, asObject } from './validate';

export interface RandomFaultsConfig {
	/** Probability, 0 to 1, that a matching request is faulted. */
	rate: number;
	seed: number;
	/** One is drawn uniformly for each faulted request. */
	kinds: FaultSpec[];
	match: FaultMatch;
}

export type RandomFaultsInput = Pick<RandomFaultsConfig, 'rate' | 'seed'> &
	Partial<Pick<RandomFaultsConfig, 'kinds' | 'match'>>;

export const DEFAULT_RANDOM_KINDS: readonly FaultSpec[] = [
	{ status: 429 },
	{ status: 500 },
	{ status: 502 },
	{ status: 503 },
	{ status: 504 },
	{ drop: true },
	{ malformed: true },
];

const MAX_KINDS = 100;

export function parseRandomFaults(raw: unknown): RandomFaultsConfig {
	const input = asSettings(raw, 'random faults', ['rate', 'seed', 'kinds', 'match']);
	if (input.rate === undefined || input.seed === undefined) {
		throw badRequest('random faults need a rate (0 to 1) and a seed');
	}
	return {
		rate: asNumberIn(input.rate, 'rate', 0, 1),
		// DECISION: any safe integer; the generator uses it as an unsigned 32-bit number.
		seed: asInteger(input.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
		kinds: input.kinds === undefined ? DEFAULT_RANDOM_KINDS.map(copyFault) : parseKinds(input.kinds),
		match: parseMatch(input.match),
	};
}

function parseKinds(raw: unknown): FaultSpec[] {
	if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_KINDS) {
		throw badRequest(`kinds must be an array of 1 to ${MAX_KINDS} faults`);
	}
	return raw.map((value, i) => {
		const input = asObject(value, `kinds[${i}]`);
		if (input.count !== undefined || input.match !== undefined) {
			throw badRequest(`kinds[${i}]: count and match belong to the whole setting, not a kind`);
		}
		const spec = parseFault(input);
		delete spec.count;
		delete spec.match;
		return spec;
	});
}
