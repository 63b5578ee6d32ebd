import { useSandboxHttp } from './harness/sandbox-http';
import { startSandbox } from '../sandbox/server';
import { StatsRecorder } from '../sandbox/stats';

const http = useSandboxHttp();

const sync = (connectionId: string, listId: number, timeout = 0) =>
	http.api.put(`/v2/vault-plus/lists/${listId}/sync`, undefined, {
		headers: { 'x-connection-id': connectionId },
		timeout,
	});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('latency', () => {
	it('is none by default and replaced by PUT', async () => {
		expect((await http.admin.get('/latency')).data).toEqual({ syncMs: 0, otherMs: 0 });
		expect((await http.admin.put('/latency', { syncMs: 40 })).data).toEqual({ syncMs: 40, otherMs: 0 });
		expect(http.sandbox.admin.latency()).toEqual({ syncMs: 40, otherMs: 0 });
		expect((await http.admin.put('/latency', { syncMs: -1 })).status).toBe(400);
		expect((await http.admin.put('/latency', { delayMs: 5 })).status).toBe(400);
	});

	it('holds a sync in flight that long, and only a sync', async () => {
		await http.admin.put('/latency', { syncMs: 60 });
		const started = Date.now();
		expect((await sync('conn_alice', 1001)).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(55);
		const [entry] = http.sandbox.requests();
		expect((entry.endedAt ?? 0) - entry.startedAt).toBeGreaterThanOrEqual(55);
		// With a minute of sync latency, anything slow here would time out.
		await http.admin.put('/latency', { syncMs: 60_000 });
		expect((await http.api.get('/v2/account/whoami', { timeout: 2000 })).status).toBe(200);
	});

	it('does not hold back an error', async () => {
		await http.admin.put('/latency', { syncMs: 60_000, otherMs: 60_000 });
		expect((await sync('conn_alice', 424242, 2000)).status).toBe(404);
		const badKey = { headers: { apiKey: 'no' }, timeout: 2000 };
		expect((await http.api.get('/v2/account/whoami', badKey)).status).toBe(401);
	});

	it('applies to other routes with otherMs, and goes on reset', async () => {
		await http.admin.put('/latency', { otherMs: 60_000 });
		await expect(http.api.get('/v2/account/whoami', { timeout: 50 })).rejects.toThrow(/timeout/);
		await http.admin.post('/reset');
		expect((await http.api.get('/v2/account/whoami', { timeout: 2000 })).status).toBe(200);
	});

	it('can be set at start, and survives a reset', async () => {
		const own = await startSandbox({ latency: { otherMs: 60_000 } });
		try {
			own.admin.reset();
			expect(own.admin.latency()).toEqual({ syncMs: 0, otherMs: 60_000 });
		} finally {
			await own.close();
		}
	});
});

describe('concurrency statistics over HTTP', () => {
	beforeEach(async () => {
		await http.admin.put('/latency', { syncMs: 50, otherMs: 50 });
	});

	it('count two syncs of the same list at once as both overlaps', async () => {
		const answers = await Promise.all([sync('conn_alice', 1001), sync('conn_alice', 1001)]);
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		const stats = (await http.admin.get('/stats')).data;
		expect(stats).toEqual({
			requests: 2,
			maxInFlight: 2,
			maxInFlightPerConnection: { conn_alice: 2 },
			sameConnectionOverlaps: 1,
			sameListSyncOverlaps: 1,
		});
		expect(http.sandbox.stats()).toEqual(stats);
	});

	it('count two lists of the same connection as a connection overlap only', async () => {
		const answers = await Promise.all([sync('conn_alice', 1001), sync('conn_alice', 1002)]);
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		expect(http.sandbox.stats()).toMatchObject({ sameConnectionOverlaps: 1, sameListSyncOverlaps: 0 });
	});

	it('do not count two connections at once as an overlap', async () => {
		const answers = await Promise.all([
			sync('conn_alice', 1001),
			sync('conn_bella', 2001),
			http.api.get('/v2/access/vault/lists', { headers: { 'x-connection-id': 'conn_fill_01' } }),
		]);
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
		expect(http.sandbox.stats()).toEqual({
			requests: 3,
			maxInFlight: 3,
			maxInFlightPerConnection: { conn_alice: 1, conn_bella: 1, conn_fill_01: 1 },
			sameConnectionOverlaps: 0,
			sameListSyncOverlaps: 0,
		});
	});

	it('do not count requests one after another', async () => {
		await sync('conn_alice', 1001);
		await sync('conn_alice', 1001);
		await http.api.get('/v2/account/whoami');
		expect(http.sandbox.stats()).toMatchObject({
			requests: 3,
			maxInFlight: 1,
			sameConnectionOverlaps: 0,
		});
	});

	it('end a request when its socket is dropped or its client gives up', async () => {
		await http.admin.post('/faults', { drop: true });
		await expect(sync('conn_alice', 1001)).rejects.toThrow();
		await http.admin.put('/latency', { syncMs: 60_000 });
		await expect(sync('conn_alice', 1001, 30)).rejects.toThrow(/timeout/);
		await pause(20);
		await http.admin.put('/latency', { syncMs: 0 });
		expect((await sync('conn_alice', 1001)).status).toBe(200);
		expect(http.sandbox.stats()).toMatchObject({
			requests: 3,
			maxInFlight: 1,
			sameConnectionOverlaps: 0,
		});
	});

	it('leave admin requests out, and restart on DELETE and on reset', async () => {
		await http.admin.get('/state');
		await Promise.all([sync('conn_alice', 1001), sync('conn_alice', 1001)]);
		const deleted = await http.admin.delete('/stats');
		expect(deleted.data).toMatchObject({ requests: 2, sameListSyncOverlaps: 1 });
		expect(http.sandbox.stats()).toMatchObject({ requests: 0, maxInFlight: 0 });
		await sync('conn_alice', 1001);
		await http.admin.post('/reset');
		expect((await http.admin.get('/stats')).data).toEqual({
			requests: 0,
			maxInFlight: 0,
			maxInFlightPerConnection: {},
			sameConnectionOverlaps: 0,
			sameListSyncOverlaps: 0,
		});
	});
});

describe('the statistics recorder', () => {
	it('tracks overlaps by connection and by list, and ends a request once', () => {
		const stats = new StatsRecorder();
		const a = stats.start({ connectionId: 'a', syncListId: '1' });
		const b = stats.start({ connectionId: 'a', syncListId: '1' });
		const c = stats.start({});
		a();
		a();
		const d = stats.start({ connectionId: 'a', syncListId: '1' });
		[b, c, d].forEach((end) => end());
		stats.start({ connectionId: 'a', syncListId: '1' })();
		expect(stats.snapshot()).toEqual({
			requests: 5,
			maxInFlight: 3,
			maxInFlightPerConnection: { a: 2 },
			sameConnectionOverlaps: 2,
			sameListSyncOverlaps: 2,
		});
	});

	it('keeps requests in flight across a clear', () => {
		const stats = new StatsRecorder();
		const running = stats.start({ connectionId: 'a' });
		stats.clear();
		stats.start({ connectionId: 'a' });
		running();
		expect(stats.snapshot()).toMatchObject({
			requests: 1,
			maxInFlight: 2,
			sameConnectionOverlaps: 1,
		});
	});
});
