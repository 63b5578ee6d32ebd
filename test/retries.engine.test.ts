import type { INodeParameters } from 'n8n-workflow';

import { byId, runSync, startSync } from './harness/engine';
import { FIRST_SYNC_OF_BEACH_SET } from './harness/fixtures';
import { useSandbox } from '../sandbox/client';
import type { FaultSpec } from '../sandbox/server';

const sandbox = useSandbox();

/** Tiny waits keep these tests fast; the policy's arithmetic is covered in retry-policy.test.ts. */
const FAST = { maxRetries: 4, maxWait: 0.02, timeout: 5 };

async function syncWith(options: INodeParameters) {
	return await runSync({
		credentials: sandbox.credentials(),
		parameters: { connectionId: byId('conn_alice'), listId: byId('1001'), options },
	});
}

async function syncRequests() {
	return (await sandbox.requests()).filter((request) => request.method === 'PUT');
}

const FAULT_CLASSES: Array<[string, FaultSpec]> = [
	['a 429 with Retry-After', { status: 429, headers: { 'retry-after': '1' } }],
	['a 429 with only X-RateLimit-Reset', { status: 429, headers: { 'x-ratelimit-reset': '0.01' } }],
	['a 429 with no hint', { status: 429 }],
	['a 500', { status: 500 }],
	['a 502', { status: 502 }],
	['a 503', { status: 503 }],
	['a 504', { status: 504 }],
	['a dropped connection', { drop: true }],
	['a malformed body', { malformed: true }],
	['a timeout', { delayMs: 400, status: 503 }],
];

describe('retries', () => {
	it.each(FAULT_CLASSES)('recovers from %s within the retry budget', async (_name, fault) => {
		await sandbox.injectFault({ ...fault, count: FAST.maxRetries });
		const result = await syncWith({ ...FAST, timeout: 0.2 });

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => item.json)).toEqual([FIRST_SYNC_OF_BEACH_SET]);
		const syncs = await syncRequests();
		expect(syncs).toHaveLength(FAST.maxRetries + 1);
		expect(syncs.filter((request) => request.fault === undefined)).toHaveLength(1);
	});

	it.each(FAULT_CLASSES)('gives up on %s after Max Retries, saying how often and how long it tried', async (_name, fault) => {
		await sandbox.injectFault({ ...fault, count: FAST.maxRetries + 1 });
		const result = await syncWith({ ...FAST, timeout: 0.2 });

		expect(result.run.status).toBe('error');
		expect(result.error?.description).toMatch(/Gave up after 5 attempts over \d+\.\d s; the last /);
		expect(await syncRequests()).toHaveLength(FAST.maxRetries + 1);
	});

	it('names the last status and request ID when it gives up', async () => {
		await sandbox.injectFault({ status: 503, count: 3 });
		const result = await syncWith({ ...FAST, maxRetries: 2 });

		const lastRequestId = (await syncRequests()).at(-1)?.requestId;
		expect(result.error?.message).toBe('OFAuth could not complete the request (HTTP 503) [item 0]');
		expect(result.error?.description).toContain(
			`Gave up after 3 attempts over`,
		);
		expect(result.error?.description).toContain(`the last answer was HTTP 503 (request ID ${lastRequestId})`);
	});

	it.each([400, 401, 403, 404, 409, 422])('never retries HTTP %i', async (status) => {
		await sandbox.injectFault({ status, count: 2 });
		const result = await syncWith(FAST);

		expect(result.run.status).toBe('error');
		expect(result.error?.httpCode).toBe(String(status));
		expect(result.error?.description).not.toContain('Gave up');
		expect(await syncRequests()).toHaveLength(1);
	});

	it('does not retry when Max Retries is 0', async () => {
		await sandbox.injectFault({ status: 503 });
		const result = await syncWith({ ...FAST, maxRetries: 0 });

		expect(result.run.status).toBe('error');
		expect(await syncRequests()).toHaveLength(1);
	});

	it('repeats an idempotent sync whose answer was lost and reports what was left to do', async () => {
		// The first answer is lost after OFAuth did the work; the repeat finds the list in step.
		await sandbox.injectFault({ delayMs: 300 });
		const result = await syncWith({ ...FAST, timeout: 0.1 });

		expect(result.run.status).toBe('success');
		const [item] = result.output.map((entry) => entry.json);
		expect(item.seen).toBe(4);
		expect(item.removedItems).toBe(0);
		expect(await syncRequests()).toHaveLength(2);
		// Let the abandoned request finish before the next test resets the sandbox.
		while ((await syncRequests()).some((request) => request.endedAt === null)) {
			await new Promise((resolve) => setImmediate(resolve));
		}
	});

	it('stops waiting as soon as the execution is cancelled', async () => {
		// A ten-minute wait: if cancelling did not end it, this test would time out.
		await sandbox.injectFault({ status: 429, headers: { 'retry-after': '600' } });
		const running = await startSync({
			credentials: sandbox.credentials(),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1001'), options: { maxWait: 600 } },
		});
		while ((await syncRequests()).length === 0) await new Promise((resolve) => setImmediate(resolve));

		running.cancel();
		await running.nodeSettled;

		expect((await running.done).run.status).toBe('canceled');
		expect(await syncRequests()).toHaveLength(1);
	}, 10_000);
});

/** One item per list of conn_alice, in the given order. */
async function syncAliceLists(lists: string[], options: INodeParameters) {
	return await runSync({
		credentials: sandbox.credentials(),
		items: lists.map((list) => ({ list })),
		parameters: {
			connectionId: byId('conn_alice'),
			listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
			options,
		},
	});
}

describe('rate limits', () => {
	it.each([
		['Retry-After', { retryAfter: true }],
		['X-RateLimit-Reset in seconds from now', { retryAfter: false, resetFormat: 'delta-seconds' as const }],
		['X-RateLimit-Reset as a Unix time', { retryAfter: false, resetFormat: 'epoch-seconds' as const }],
	])('syncs a burst beyond the bucket, reading %s, losing nothing', async (_how, limit) => {
		await sandbox.setRateLimit({ capacity: 3, refillPerSecond: 100, ...limit });
		const lists = ['1001', '1002', '1003', '1004', '1005', '1006', '1001', '1002'];
		const result = await syncAliceLists(lists, { maxRetries: 10, maxWait: 0.05 });

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => item.json.listId)).toEqual(lists);
		const syncs = await syncRequests();
		expect(syncs.filter((request) => request.status === 200)).toHaveLength(lists.length);
	});

	it('paces a connection by its X-RateLimit headers instead of running into 429s', async () => {
		await sandbox.setRateLimit({ capacity: 2, refillPerSecond: 50, retryAfter: true });
		const lists = ['1001', '1002', '1003', '1004', '1005', '1006'];
		const result = await syncAliceLists(lists, { maxRetries: 0, maxWait: 1 });

		expect(result.run.status).toBe('success');
		expect((await syncRequests()).map((request) => request.status)).toEqual(lists.map(() => 200));
	});
});

describe('a long run through random faults', () => {
	const ITEMS = 1000;
	const LISTS = [
		['conn_alice', '1001'],
		['conn_alice', '1002'],
		['conn_alice', '1004'],
		['conn_bella', '2001'],
		['conn_bella', '2002'],
		['conn_bella', '2101'],
	];
	const items = Array.from({ length: ITEMS }, (_, index) => {
		const [connection, list] = LISTS[index % LISTS.length];
		return { connection, list };
	});
	const run = async () =>
		await runSync({
			credentials: sandbox.credentials(),
			items,
			parameters: {
				connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
				listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
				options: { maxRetries: 4, maxWait: 0.001 },
			},
			onError: 'continueRegularOutput',
		});

	it(`ends ${ITEMS} items with 20% seeded faults with ${ITEMS} paired items, the fault-free results, and no extra syncs`, async () => {
		const faultFree = await run();
		await sandbox.reset();
		await sandbox.injectRandomFaults({ rate: 0.2, seed: 7 });
		const faulted = await run();

		expect(faulted.output).toHaveLength(ITEMS);
		expect(faulted.output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const failed = faulted.output.filter((item) => typeof item.json.error === 'string');
		// Five faults in a row at 20% is rare (0.03% of items); when it happens the item says so.
		expect(failed.length).toBeLessThan(5);
		for (const item of failed) expect(String(item.json.error)).toMatch(/\[item \d+\]$/);
		faulted.output.forEach((item, index) => {
			if (typeof item.json.error !== 'string') expect(item.json).toEqual(faultFree.output[index].json);
		});

		const syncs = await syncRequests();
		const faults = syncs.filter((request) => request.fault !== undefined);
		expect(faults.length).toBeGreaterThan(ITEMS * 0.15);
		// Only answered syncs change anything: exactly one per item that succeeded, none twice.
		expect(syncs.filter((request) => request.fault === undefined)).toHaveLength(ITEMS - failed.length);
		expect(syncs.length).toBeLessThanOrEqual(ITEMS * 5);
	}, 60_000);
});
