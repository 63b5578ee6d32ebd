import axios, { type AxiosResponse } from 'axios';
import { useSandboxHttp } from './harness/sandbox-http';
import { startSandbox } from '../sandbox/server';

const KEY = 'test-key';

const http = useSandboxHttp();

const as = (connectionId: string) => ({ headers: { 'x-connection-id': connectionId } });
const sync = (connectionId: string, listId: number) =>
	http.api.put(`/v2/vault-plus/lists/${listId}/sync`, undefined, as(connectionId));
/** A refill so slow that no token comes back while a test runs. */
const limit = (settings: Record<string, unknown>) =>
	http.admin.put('/rate-limit', { refillPerSecond: 0.001, ...settings });

const rateHeaders = (response: AxiosResponse) => ({
	limit: response.headers['x-ratelimit-limit'],
	remaining: response.headers['x-ratelimit-remaining'],
	reset: response.headers['x-ratelimit-reset'],
	retryAfter: response.headers['retry-after'],
});

describe('rate-limit settings over the admin API', () => {
	it('are off by default and replaced by PUT', async () => {
		expect((await http.admin.get('/rate-limit')).data).toEqual({
			enabled: false,
			capacity: 90,
			refillPerSecond: 1,
			retryAfter: true,
			resetFormat: 'delta-seconds',
		});
		const put = await http.admin.put('/rate-limit', { capacity: 5, refillPerSecond: 50 });
		expect(put.data).toEqual({
			enabled: true,
			capacity: 5,
			refillPerSecond: 50,
			retryAfter: true,
			resetFormat: 'delta-seconds',
		});
		expect((await http.admin.get('/rate-limit')).data).toEqual(put.data);
		expect(http.sandbox.admin.rateLimit()).toEqual(put.data);
	});

	it('reject a bad body with 400', async () => {
		const response = await http.admin.put('/rate-limit', { capacity: 5, burst: 9 });
		expect(response.status).toBe(400);
		expect(response.data.type).toBe('BAD_REQUEST');
		expect((await http.admin.get('/rate-limit')).data.enabled).toBe(false);
	});

	it('go back to the start settings on reset, with full buckets', async () => {
		await limit({ capacity: 1 });
		await sync('conn_alice', 1001);
		await http.admin.post('/reset');
		expect((await http.admin.get('/rate-limit')).data.enabled).toBe(false);
		expect((await sync('conn_alice', 1001)).headers).not.toHaveProperty('x-ratelimit-limit');
	});
});

describe('rate-limited requests', () => {
	it('carry the X-RateLimit headers when allowed', async () => {
		await limit({ capacity: 2 });
		const response = await sync('conn_alice', 1001);
		expect(response.status).toBe(200);
		const headers = rateHeaders(response);
		expect(headers).toMatchObject({ limit: '2', remaining: '1', retryAfter: undefined });
		expect(headers.reset).toMatch(/^\d+\.\d{3}$/);
		expect(Number(headers.reset)).toBeCloseTo(1000, -1);
		const lists = await http.api.get('/v2/access/vault/lists', as('conn_alice'));
		expect(lists.status).toBe(200);
		expect(rateHeaders(lists)).toMatchObject({ limit: '2', remaining: '0' });
	});

	it('answer 429 with the documented body and headers when the bucket is empty', async () => {
		await limit({ capacity: 1 });
		await sync('conn_alice', 1001);
		const response = await sync('conn_alice', 1001);
		expect(response.status).toBe(429);
		expect(response.data).toEqual({
			error: 'Rate limit exceeded',
			type: 'RATE_LIMIT_EXCEEDED',
			requestId: response.headers['x-request-id'],
		});
		expect(rateHeaders(response)).toMatchObject({ limit: '1', remaining: '0', retryAfter: '1000' });
		expect(http.sandbox.requests().map((r) => r.status)).toEqual([200, 429]);
	});

	it('send no Retry-After when it is turned off', async () => {
		await limit({ capacity: 1, retryAfter: false });
		await sync('conn_alice', 1001);
		const response = await sync('conn_alice', 1001);
		expect(response.status).toBe(429);
		expect(response.headers).not.toHaveProperty('retry-after');
		expect(rateHeaders(response).remaining).toBe('0');
	});

	it('give X-RateLimit-Reset as an epoch time when asked', async () => {
		await limit({ capacity: 1, refillPerSecond: 0.5, resetFormat: 'epoch-seconds' });
		const response = await sync('conn_alice', 1001);
		const reset = Number(rateHeaders(response).reset);
		expect(Math.abs(reset - (Date.now() / 1000 + 2))).toBeLessThan(1);
	});

	it('are allowed again once a token has come back', async () => {
		await http.admin.put('/rate-limit', { capacity: 1, refillPerSecond: 50 });
		expect((await sync('conn_alice', 1001)).status).toBe(200);
		const refused = await sync('conn_alice', 1001);
		expect(refused.status).toBe(429);
		expect(rateHeaders(refused).retryAfter).toBe('1');
		await new Promise((resolve) => setTimeout(resolve, 40));
		expect((await sync('conn_alice', 1001)).status).toBe(200);
	});

	it('change nothing when refused', async () => {
		await limit({ capacity: 1 });
		await sync('conn_alice', 1001);
		await http.sandbox.admin.patchListMedia('conn_alice', 1001, {
			add: [{ id: '990001', fingerprint: 'new' }],
			remove: [],
			update: [],
		});
		const before = (await http.admin.get('/state')).data;
		expect((await sync('conn_alice', 1001)).status).toBe(429);
		expect((await http.admin.get('/state')).data).toEqual(before);
	});

	it('are limited per connection', async () => {
		await limit({ capacity: 1 });
		expect((await sync('conn_alice', 1001)).status).toBe(200);
		expect((await sync('conn_alice', 1001)).status).toBe(429);
		const bella = await sync('conn_bella', 2001);
		expect(bella.status).toBe(200);
		expect(rateHeaders(bella).remaining).toBe('0');
	});

	it('take a token even when the model then refuses, and carry the headers', async () => {
		await limit({ capacity: 2 });
		const missing = await sync('conn_alice', 424242);
		expect(missing.status).toBe(404);
		expect(rateHeaders(missing)).toMatchObject({ limit: '2', remaining: '1' });
	});
});

describe('requests outside the rate limit', () => {
	it('whoami and the connections listing are never limited, nor carry the headers', async () => {
		await limit({ capacity: 1 });
		for (let i = 0; i < 3; i++) {
			const whoami = await http.api.get('/v2/account/whoami', as('conn_alice'));
			const connections = await http.api.get('/v2/account/connections');
			expect([whoami.status, connections.status]).toEqual([200, 200]);
			expect(whoami.headers).not.toHaveProperty('x-ratelimit-limit');
			expect(connections.headers).not.toHaveProperty('x-ratelimit-limit');
		}
		expect((await sync('conn_alice', 1001)).status).toBe(200);
	});

	it('a bad key or a missing connection header is refused first and takes no token', async () => {
		await limit({ capacity: 1 });
		const badKey = await http.api.put('/v2/vault-plus/lists/1001/sync', undefined, {
			headers: { apiKey: 'wrong', 'x-connection-id': 'conn_alice' },
		});
		expect(badKey.status).toBe(401);
		expect(badKey.headers).not.toHaveProperty('x-ratelimit-limit');
		expect((await http.api.put('/v2/vault-plus/lists/1001/sync')).status).toBe(400);
		expect((await sync('conn_alice', 1001)).status).toBe(200);
	});

	it('a faulted request takes no token', async () => {
		await limit({ capacity: 1 });
		await http.admin.post('/faults', { status: 503 });
		expect((await sync('conn_alice', 1001)).status).toBe(503);
		expect((await sync('conn_alice', 1001)).status).toBe(200);
	});
});

describe('a sandbox started with a rate limit and a clock', () => {
	it('limits from the start, deterministically, and keeps the setting across resets', async () => {
		const clock = { now: 5_000 };
		const own = await startSandbox({
			rateLimit: { capacity: 1, refillPerSecond: 1 },
			now: () => clock.now,
		});
		try {
			const call = () =>
				axios.put(`${own.url}/v2/vault-plus/lists/1001/sync`, undefined, {
					headers: { apiKey: KEY, 'x-connection-id': 'conn_alice' },
					validateStatus: () => true,
				});
			const first = await call();
			expect([first.status, rateHeaders(first).reset]).toEqual([200, '1.000']);
			clock.now += 250;
			const refused = await call();
			expect(rateHeaders(refused)).toMatchObject({ reset: '0.750', retryAfter: '1' });
			clock.now += 750;
			expect((await call()).status).toBe(200);
			own.admin.reset();
			expect(own.admin.rateLimit()).toMatchObject({ enabled: true, capacity: 1 });
			expect((await call()).status).toBe(200);
		} finally {
			await own.close();
		}
	});

	it('refuses bad start settings', async () => {
		await expect(startSandbox({ rateLimit: { capacity: -1 } })).rejects.toThrow(/capacity/);
	});
});
