/**
 * Shared checks for the sandbox's run-time settings (rate limit, latency, random faults), which
 * arrive as admin JSON bodies, startSandbox options or CLI flags.
 */
import { badRequest } from './errors';
import { asObject, type JsonObject } from './validate';

/** DECISION: unknown keys are rejected, so a misspelt setting fails instead of being ignored. */
export function asSettings(value: unknown, where: string, keys: readonly string[]): JsonObject {
	const input = asObject(value ?? {}, where);
	const unknown = Object.keys(input).filter((key) => !keys.includes(key));
	if (unknown.length > 0) {
		const known = keys.join(', ');
		throw badRequest(`${where} has unknown field(s) ${unknown.join(', ')}; known: ${known}`);
	}
	return input;
}

export function asNumberIn(value: unknown, where: string, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
		throw badRequest(`${where} must be a number between ${min} and ${max}`);
	}
	return value;
}

export function asPositiveNumber(value: unknown, where: string, max: number): number {
	const number = asNumberIn(value, where, 0, max);
	if (number === 0) throw badRequest(`${where} must be greater than 0`);
	return number;
}
