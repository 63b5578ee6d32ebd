/**
 * A tiny seeded pseudo-random generator (the mulberry32 algorithm), so that random faults repeat
 * exactly for the same seed and the same request sequence. Not for anything cryptographic.
 */
export type Random = () => number;

/** A generator of numbers in [0, 1). The seed is taken as an unsigned 32-bit integer. */
export function seededRandom(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = Math.imul(state ^ (state >>> 15), state | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
	};
}
