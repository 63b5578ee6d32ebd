import axios, { type AxiosInstance } from 'axios';
import { Agent } from 'node:http';
import { seededRandom } from '../sandbox/prng';
import { startSandbox, type Sandbox } from '../sandbox/server';

let sandbox: Sandbox;
let agent: Agent;
let api: AxiosInstance;
let admin: AxiosInstance;

beforeAll(async () => {
	sandbox = await startSandbox();
	agent = new Agent({ keepAlive: true });
	const common = { baseURL: sandbox.url, validateStatus: () => true, httpAgent: agent };
	api = axios.create({ ...common, headers: { apiKey: 'test-key' } });
	admin = axios.create({ ...common, baseURL: `${sandbox.url}/__sandbox` });
});

afterAll(async () => {
	agent.destroy();
	await sandbox.close();
});

beforeEach(async () => {
	await admin.post('/reset');
});

/** The status, or 'dropped' when the sandbox hung up without answering. */
async function whoami(): Promise<number | 'dropped'> {
	try {
		return (await api.get('/v2/account/whoami')).status;
	} catch {
		return 'dropped';
	}
}

async function inSequence(count: number): Promise<(number | 'dropped')[]> {
	const statuses: (number | 'dropped')[] = [];
	for (let i = 0; i < count; i++) statuses.push(await whoami());
	return statuses;
}

/** Each faulted request as [position in the run, fault kind, status]. */
function faultedRun() {
	const log = sandbox.requests();
	const first = log[0]?.seq ?? 0;
	return log.filter((r) => r.fault).map((r) => [r.seq - first, r.fault, r.status]);
}

describe('the seeded generator', () => {
	it('repeats for a seed and differs between seeds', () => {
		const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
		expect(draw(42)).toEqual(draw(42));
		expect(draw(42)).not.toEqual(draw(43));
		expect(draw(42).every((n) => n >= 0 && n < 1)).toBe(true);
	});
});

describe('random faults', () => {
	it('are off by default', async () => {
		expect((await admin.get('/faults/random')).data).toEqual({
			enabled: false,
			config: null,
			seen: 0,
			injected: 0,
			byKind: {},
		});
	});

	it('fault the same requests in the same way for the same seed', async () => {
		const run = async (seed: number) => {
			await admin.post('/reset');
			await admin.post('/faults/random', { rate: 0.3, seed });
			const statuses = await inSequence(40);
			return { statuses, faulted: faultedRun() };
		};
		const first = await run(7);
		expect(first.faulted.length).toBeGreaterThan(3);
		expect(first.statuses).toContain('dropped');
		expect(await run(7)).toEqual(first);
		expect((await run(8)).faulted).not.toEqual(first.faulted);
	});

	it('honour the rate roughly, over 500 requests', async () => {
		const settings = { rate: 0.2, seed: 1234, kinds: [{ status: 503 }] };
		const set = await admin.post('/faults/random', settings);
		expect(set.data).toMatchObject({ enabled: true, config: { rate: 0.2, seed: 1234 } });
		const statuses: (number | 'dropped')[] = [];
		for (let batch = 0; batch < 20; batch++) {
			statuses.push(...(await Promise.all(Array.from({ length: 25 }, whoami))));
		}
		const faulted = statuses.filter((s) => s === 503).length;
		expect(faulted).toBeGreaterThan(100 - 40);
		expect(faulted).toBeLessThan(100 + 40);
		expect(statuses.filter((s) => s !== 503).every((s) => s === 200)).toBe(true);
		const status = (await admin.get('/faults/random')).data;
		expect(status).toMatchObject({ seen: 500, injected: faulted, byKind: { '503': faulted } });
	});

	it('draw their kind from the given list and count each', async () => {
		await admin.post('/faults/random', {
			rate: 1,
			seed: 5,
			kinds: [{ status: 418, body: { teapot: true } }, { malformed: true }, { status: 502 }],
		});
		const statuses = await inSequence(60);
		expect(new Set(statuses)).toEqual(new Set([418, 200, 502]));
		const { byKind, injected } = (await admin.get('/faults/random')).data;
		expect(injected).toBe(60);
		expect(Object.keys(byKind).sort()).toEqual(['418', '502', 'malformed']);
		expect(byKind['418']).toBe(statuses.filter((s) => s === 418).length);
		expect(byKind.malformed).toBe(statuses.filter((s) => s === 200).length);
		expect(new Set(sandbox.requests().map((r) => r.fault))).toEqual(
			new Set(['respond', 'malformed']),
		);
	});

	it('by default include every retryable failure', async () => {
		await admin.post('/faults/random', { rate: 1, seed: 3 });
		await inSequence(150);
		const { byKind, config } = (await admin.get('/faults/random')).data;
		expect(config.kinds).toHaveLength(7);
		expect(Object.keys(byKind).sort()).toEqual(
			['429', '500', '502', '503', '504', 'drop', 'malformed'].sort(),
		);
	});

	it('only hit matching requests', async () => {
		const match = { method: 'put', pathPrefix: '/v2/vault-plus/' };
		await admin.post('/faults/random', { rate: 1, seed: 1, match, kinds: [{ status: 503 }] });
		expect(await inSequence(5)).toEqual([200, 200, 200, 200, 200]);
		const sync = await api.put('/v2/vault-plus/lists/1001/sync', undefined, {
			headers: { 'x-connection-id': 'conn_alice' },
		});
		expect(sync.status).toBe(503);
		expect((await admin.get('/faults/random')).data).toMatchObject({ seen: 1, injected: 1 });
	});

	it('give way to queued faults, which still use up a draw', async () => {
		await admin.post('/faults', { status: 409 });
		await admin.post('/faults/random', { rate: 1, seed: 9, kinds: [{ status: 503 }] });
		expect(await inSequence(2)).toEqual([409, 503]);
		expect((await admin.get('/faults/random')).data).toMatchObject({
			seen: 2,
			injected: 1,
			byKind: { '503': 1 },
		});
	});

	it('stop on DELETE, keeping their counts, and are forgotten on reset', async () => {
		await admin.post('/faults/random', { rate: 1, seed: 2, kinds: [{ status: 500 }] });
		await inSequence(3);
		const deleted = await admin.delete('/faults/random');
		expect(deleted.data).toMatchObject({ enabled: false, injected: 3, byKind: { '500': 3 } });
		expect(await inSequence(5)).toEqual([200, 200, 200, 200, 200]);
		expect((await admin.get('/faults/random')).data).toMatchObject({ enabled: false, seen: 3 });

		await admin.post('/faults/random', { rate: 1, seed: 2 });
		await admin.post('/reset');
		expect(await inSequence(5)).toEqual([200, 200, 200, 200, 200]);
		const status = (await admin.get('/faults/random')).data;
		expect(status).toMatchObject({ enabled: false, config: null });
	});

	it.each([
		[{ seed: 1 }],
		[{ rate: 1.5, seed: 1 }],
		[{ rate: 0.5 }],
		[{ rate: 0.5, seed: 1.5 }],
		[{ rate: 0.5, seed: 1, kinds: [] }],
		[{ rate: 0.5, seed: 1, kinds: [{ status: 503, count: 2 }] }],
		[{ rate: 0.5, seed: 1, kinds: [{ drop: true, status: 503 }] }],
		[{ rate: 0.5, seed: 1, odds: 2 }],
	])('reject %j with 400', async (body) => {
		const response = await admin.post('/faults/random', body);
		expect(response.status).toBe(400);
		expect((await admin.get('/faults/random')).data.enabled).toBe(false);
	});
});
