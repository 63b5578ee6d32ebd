import { ApiError } from '../sandbox/errors';
import { RateLimiter } from '../sandbox/rate-limit';
import { DEFAULT_RATE_LIMIT, parseRateLimit, type RateLimitInput } from '../sandbox/rate-limit-config';

/** A limiter on a clock that moves only when the test moves it. */
function limiterAt(config: RateLimitInput, start = 1_000_000) {
	const clock = { now: start };
	const limiter = new RateLimiter(parseRateLimit(config), () => clock.now);
	return { limiter, clock, advance: (ms: number) => void (clock.now += ms) };
}

describe('the token bucket', () => {
	it('lets a full bucket burst to its capacity, then answers not allowed', () => {
		const { limiter } = limiterAt({ capacity: 3, refillPerSecond: 1 });
		const decisions = [1, 2, 3, 4].map(() => limiter.take('conn_alice'));
		expect(decisions.map((d) => d?.allowed)).toEqual([true, true, true, false]);
		expect(decisions.map((d) => d?.headers['X-RateLimit-Remaining'])).toEqual(['2', '1', '0', '0']);
		expect(decisions.every((d) => d?.headers['X-RateLimit-Limit'] === '3')).toBe(true);
	});

	it('refills at the configured rate', () => {
		const { limiter, advance } = limiterAt({ capacity: 2, refillPerSecond: 50 });
		limiter.take('c');
		limiter.take('c');
		expect(limiter.take('c')?.allowed).toBe(false);
		advance(19);
		expect(limiter.take('c')?.allowed).toBe(false);
		advance(1);
		expect(limiter.take('c')?.allowed).toBe(true);
		advance(10);
		expect(limiter.tokens('c')).toBeCloseTo(0.5, 9);
	});

	it('refills fractional rates', () => {
		const { limiter, advance } = limiterAt({ capacity: 1, refillPerSecond: 0.25 });
		limiter.take('c');
		advance(3999);
		expect(limiter.take('c')?.allowed).toBe(false);
		advance(1);
		expect(limiter.take('c')?.allowed).toBe(true);
	});

	it('never holds more than its capacity', () => {
		const { limiter, advance } = limiterAt({ capacity: 5, refillPerSecond: 100 });
		limiter.take('c');
		advance(3_600_000);
		expect(limiter.tokens('c')).toBe(5);
		expect(limiter.take('c')?.headers['X-RateLimit-Remaining']).toBe('4');
	});

	it('keeps one bucket per connection', () => {
		const { limiter } = limiterAt({ capacity: 1 });
		expect(limiter.take('conn_alice')?.allowed).toBe(true);
		expect(limiter.take('conn_alice')?.allowed).toBe(false);
		expect(limiter.take('conn_bella')?.allowed).toBe(true);
	});

	it('decides nothing when off', () => {
		const { limiter } = limiterAt({ enabled: false, capacity: 1 });
		expect(limiter.take('c')).toBeUndefined();
		expect(limiter.take('c')).toBeUndefined();
	});

	it('refills every bucket when configured again', () => {
		const { limiter } = limiterAt({ capacity: 1 });
		limiter.take('c');
		limiter.configure(parseRateLimit({ capacity: 2 }));
		expect(limiter.tokens('c')).toBe(2);
	});
});

describe('Retry-After', () => {
	it('is the whole seconds until one token, rounded up', () => {
		const { limiter, advance } = limiterAt({ capacity: 1, refillPerSecond: 0.4 });
		limiter.take('c');
		expect(limiter.take('c')?.headers['Retry-After']).toBe('3'); // 2.5 s
		advance(1000);
		expect(limiter.take('c')?.headers['Retry-After']).toBe('2'); // 1.5 s
		advance(500);
		expect(limiter.take('c')?.headers['Retry-After']).toBe('1'); // exactly 1 s
	});

	it('is at least 1, even when the token is due in milliseconds', () => {
		const { limiter } = limiterAt({ capacity: 1, refillPerSecond: 50 });
		limiter.take('c');
		expect(limiter.take('c')?.headers['Retry-After']).toBe('1');
	});

	it('is sent only on a refusal, and not at all when turned off', () => {
		const on = limiterAt({ capacity: 1 }).limiter;
		expect(on.take('c')?.headers).not.toHaveProperty('Retry-After');
		expect(on.take('c')?.headers).toHaveProperty('Retry-After', '1');
		const off = limiterAt({ capacity: 1, retryAfter: false }).limiter;
		off.take('c');
		expect(off.take('c')?.headers).not.toHaveProperty('Retry-After');
	});
});

describe('X-RateLimit-Reset', () => {
	it('gives the seconds until the bucket is full, with 3 decimals', () => {
		const { limiter, advance } = limiterAt({ capacity: 2, refillPerSecond: 50 });
		expect(limiter.take('c')?.headers['X-RateLimit-Reset']).toBe('0.020');
		expect(limiter.take('c')?.headers['X-RateLimit-Reset']).toBe('0.040');
		advance(15); // 0.75 of a token back: refused, and 1.25 tokens short of full
		const refused = limiter.take('c');
		expect(refused?.allowed).toBe(false);
		expect(refused?.headers['X-RateLimit-Reset']).toBe('0.025');
	});

	it('is one second after the first request with the default settings', () => {
		const { limiter } = limiterAt({});
		expect(limiter.take('c')?.headers['X-RateLimit-Reset']).toBe('1.000');
	});

	it('gives the epoch second the bucket is full at, with 3 decimals', () => {
		const { limiter } = limiterAt(
			{ capacity: 3, refillPerSecond: 2, resetFormat: 'epoch-seconds' },
			1_700_000_000_250,
		);
		expect(limiter.take('c')?.headers['X-RateLimit-Reset']).toBe('1700000000.750');
		expect(limiter.take('c')?.headers['X-RateLimit-Reset']).toBe('1700000001.250');
	});
});

describe('rate-limit settings', () => {
	it('default to the documented plan, off', () => {
		expect(DEFAULT_RATE_LIMIT).toEqual({
			enabled: false,
			capacity: 90,
			refillPerSecond: 1,
			retryAfter: true,
			resetFormat: 'delta-seconds',
		});
	});

	it('are on with the defaults when given without enabled', () => {
		expect(parseRateLimit({})).toEqual({ ...DEFAULT_RATE_LIMIT, enabled: true });
		expect(parseRateLimit({ capacity: 5, enabled: false })).toMatchObject({
			enabled: false,
			capacity: 5,
		});
	});

	it.each([
		[{ capacity: 0 }],
		[{ capacity: 1.5 }],
		[{ refillPerSecond: 0 }],
		[{ refillPerSecond: -1 }],
		[{ refillPerSecond: '1' }],
		[{ retryAfter: 'yes' }],
		[{ resetFormat: 'http-date' }],
		[{ refillRate: 1 }],
		[[]],
	])('reject %j', (input) => {
		expect(() => parseRateLimit(input)).toThrow(ApiError);
	});
});
