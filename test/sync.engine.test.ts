import { byId, fromList, runSync } from './harness/engine';
import { FIRST_SYNC_OF_BEACH_SET } from './harness/fixtures';
import { useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

async function syncOnce(connectionId: string, listId: string) {
	const result = await runSync({
		credentials: sandbox.credentials(),
		parameters: { connectionId: byId(connectionId), listId: fromList(listId) },
	});
	expect(result.run.status).toBe('success');
	return result.output[0].json;
}

describe('Vault+ Sync in the n8n engine', () => {
	it('sends one PUT per item to the sync path with the key and connection headers and no body', async () => {
		const { output, run } = await runSync({
			credentials: sandbox.credentials(),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1001') },
		});

		expect(run.status).toBe('success');
		expect(output).toHaveLength(1);
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'PUT',
			path: '/v2/vault-plus/lists/1001/sync',
			connectionId: 'conn_alice',
			apiKeyPresent: true,
			apiKeyValid: true,
			bodyLength: 0,
			status: 200,
		});
	});

	it('outputs exactly the eight response fields plus connectionId, paired to its input', async () => {
		const { output } = await runSync({
			credentials: sandbox.credentials(),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1001') },
		});

		expect(output[0].json).toEqual(FIRST_SYNC_OF_BEACH_SET);
		expect(output[0].pairedItem).toEqual({ item: 0 });
	});

	it('evaluates expressions per item and yields one paired output item per input item, in order', async () => {
		const { output, run } = await runSync({
			credentials: sandbox.credentials(),
			items: [
				{ account: 'conn_alice', list: 1001 },
				{ account: 'conn_bella', list: '2001' },
				{ account: 'conn_alice', list: 1002 },
			],
			parameters: {
				connectionId: { __rl: true, mode: 'id', value: '={{ $json.account }}' },
				listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
			},
		});

		expect(run.status).toBe('success');
		expect(output.map((item) => [item.json.connectionId, item.json.listId, item.pairedItem])).toEqual([
			['conn_alice', '1001', { item: 0 }],
			['conn_bella', '2001', { item: 1 }],
			['conn_alice', '1002', { item: 2 }],
		]);
		expect((await sandbox.requests()).map((request) => [request.connectionId, request.path])).toEqual([
			['conn_alice', '/v2/vault-plus/lists/1001/sync'],
			['conn_bella', '/v2/vault-plus/lists/2001/sync'],
			['conn_alice', '/v2/vault-plus/lists/1002/sync'],
		]);
	});

	it('sends a list ID with leading zeros as the number it names', async () => {
		const { output, run } = await runSync({
			credentials: sandbox.credentials(),
			items: [{ list: '0001001' }],
			parameters: {
				connectionId: byId('conn_alice'),
				listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
			},
		});

		expect(run.status).toBe('success');
		expect(output[0].json.listId).toBe('1001');
		expect((await sandbox.requests())[0].path).toBe('/v2/vault-plus/lists/1001/sync');
	});

	it('removes nothing on the first sync and reports the changes of the list on the second', async () => {
		expect(await syncOnce('conn_alice', '1001')).toMatchObject({
			seen: 4,
			addedItems: 4,
			removedItems: 0,
			unchangedItems: 0,
		});

		await sandbox.patchListMedia('conn_alice', 1001, {
			add: [
				{ id: '5101', fingerprint: 'fp-5101-a' },
				{ id: '5102', fingerprint: 'fp-5102-a' },
			],
			update: [{ id: '5002', fingerprint: 'fp-5002-b' }],
			remove: ['5001'],
		});

		expect(await syncOnce('conn_alice', '1001')).toEqual({
			synced: true,
			listId: '1001',
			connectionId: 'conn_alice',
			seen: 5,
			addedItems: 2,
			updatedItems: 1,
			removedItems: 1,
			unchangedItems: 2,
			adoptedItems: 0,
		});
	});
});
