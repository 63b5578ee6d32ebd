import type { INodeParameters } from 'n8n-workflow';

import { runSync } from './harness/engine';
import { useSandbox } from '../sandbox/client';
import { fanOutSeed } from '../sandbox/fan-out-seed';

const { seed, targets } = fanOutSeed(6, 5);
const sandbox = useSandbox({ seed });

const parameters = (options: INodeParameters = {}): INodeParameters => ({
	connectionId: { __rl: true, mode: 'id', value: '={{ $json.connectionId }}' },
	listId: { __rl: true, mode: 'id', value: '={{ $json.listId }}' },
	options,
});

async function syncs() {
	return (await sandbox.requests()).filter((request) => request.method === 'PUT');
}

describe('many lists over many connections', () => {
	beforeEach(async () => {
		// Long enough that every connection's first sync is still running when the last one starts, even on a busy machine.
		await sandbox.setLatency({ syncMs: 60 });
	});

	it('runs connections at once but each connection one sync at a time, in input order', async () => {
		const result = await runSync({ credentials: sandbox.credentials(), items: targets, parameters: parameters() });

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => [item.json.connectionId, item.json.listId])).toEqual(
			targets.map((target) => [target.connectionId, target.listId]),
		);
		expect(result.output.map((item) => item.pairedItem)).toEqual(targets.map((_, item) => ({ item })));
		const stats = await sandbox.stats();
		expect(stats.sameConnectionOverlaps).toBe(0);
		expect(stats.maxInFlight).toBe(6);
		for (const connection of new Set(targets.map((target) => target.connectionId))) {
			const order = (await syncs()).filter((request) => request.connectionId === connection).map((request) => request.path);
			const expected = targets.filter((target) => target.connectionId === connection).map((target) => `/v2/vault-plus/lists/${target.listId}/sync`);
			expect(order).toEqual(expected);
		}
	});

	it('keeps the same rules with All Active Connections: connections at once, each one sync at a time', async () => {
		const result = await runSync({ credentials: sandbox.credentials(), parameters: { operation: 'syncAllLists', connectionScope: 'allActive', connectionFilter: 'fan' } });

		expect(result.run.status).toBe('success');
		expect(result.output.filter((item) => item.json.skipped === false)).toHaveLength(targets.length);
		const stats = await sandbox.stats();
		expect(stats.sameConnectionOverlaps).toBe(0);
		expect(stats.maxInFlight).toBe(6);
	});

	it('keeps to Max Concurrent Requests', async () => {
		await runSync({ credentials: sandbox.credentials(), items: targets, parameters: parameters({ maxConcurrent: 4 }) });

		expect((await sandbox.stats()).maxInFlight).toBe(4);
	});

	it('never overlaps two syncs of one list, even with several syncs per connection allowed', async () => {
		const repeated = [...targets.slice(0, 5), ...targets.slice(0, 5), ...targets.slice(0, 5)];
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: repeated,
			parameters: parameters({ maxPerConnection: 3 }),
		});

		expect(result.output.map((item) => item.json.listId)).toEqual(repeated.map((target) => target.listId));
		const stats = await sandbox.stats();
		expect(stats.sameListSyncOverlaps).toBe(0);
		expect(stats.sameConnectionOverlaps).toBeGreaterThan(0);
		expect(stats.maxInFlightPerConnection[repeated[0].connectionId]).toBe(3);
	});

	it('keeps input order, pairing and continue-on-fail with failures spread over connections', async () => {
		const items = targets.map((target, index) => (index % 7 === 3 ? { ...target, listId: '424242' } : target));
		const result = await runSync({
			credentials: sandbox.credentials(),
			items,
			parameters: parameters({ maxRetries: 0 }),
			onError: 'continueRegularOutput',
		});

		expect(result.output).toHaveLength(items.length);
		result.output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (items[index].listId === '424242') expect(item.json.error).toMatch(new RegExp(`\\[item ${index}\\]$`));
			else expect(item.json.listId).toBe(items[index].listId);
		});
	});
});
