import type { INodeProperties } from 'n8n-workflow';

import { optionsParameter } from './parameters';

export type NumericOption = 'maxConcurrent' | 'maxPerConnection' | 'maxRetries' | 'maxWait' | 'timeout';

interface Limits {
	fallback: number;
	min: number;
	max: number;
	whole: boolean;
}

/**
 * The editor's default and range of each numeric option, read from its description: one source for
 * the field the user sees and for the value the code falls back to and clamps to, so that a value
 * set by an expression obeys the same limits as one typed in.
 */
function limitsOf(name: NumericOption): Limits {
	const option = (optionsParameter.options as INodeProperties[]).find((candidate) => candidate.name === name);
	const range = option?.typeOptions ?? {};
	return {
		fallback: option?.default as number,
		min: range.minValue as number,
		max: range.maxValue as number,
		whole: range.numberPrecision === undefined,
	};
}

const LIMITS = new Map<NumericOption, Limits>();

/** The option's value within its range; its default when it is not a number at all. */
export function optionValue(name: NumericOption, value: unknown): number {
	let limits = LIMITS.get(name);
	if (!limits) LIMITS.set(name, (limits = limitsOf(name)));
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || Number.isNaN(number)) return limits.fallback;
	const clamped = Math.min(limits.max, Math.max(limits.min, number));
	return limits.whole ? Math.floor(clamped) : clamped;
}
