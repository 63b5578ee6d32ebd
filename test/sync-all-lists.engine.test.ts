import type { INodeParameters } from 'n8n-workflow';

import { byId, fromList, runSync } from './harness/engine';
import { useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

const syncAll = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'syncAllLists',
	connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
	...extra,
});

async function syncPaths() {
	return (await sandbox.requests()).filter((request) => request.method === 'PUT').map((request) => request.path);
}

describe('Sync All Lists', () => {
	it('syncs every custom list of the connection, one item per list, all paired to the input item', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll(),
		});

		expect(result.run.status).toBe('success');
		const lists = result.output.map((item) => [item.json.listId, item.json.listName, item.pairedItem]);
		expect(lists).toEqual(
			expect.arrayContaining([
				['1001', 'Beach Set', { item: 0 }],
				['1002', 'Best Of 2026', { item: 0 }],
				['1006', 'Empty Drafts', { item: 0 }],
			]),
		);
		expect(lists).toHaveLength(3);
		expect(result.output.every((item) => item.json.connectionId === 'conn_alice' && item.json.synced === true)).toBe(true);
		expect((await syncPaths()).sort()).toEqual([
			'/v2/vault-plus/lists/1001/sync',
			'/v2/vault-plus/lists/1002/sync',
			'/v2/vault-plus/lists/1006/sync',
		]);
	});

	it('keeps to the chosen list types', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll({ listTypes: ['messages', 'posts'] }),
		});

		expect(result.output.map((item) => item.json.listId).sort()).toEqual(['1003', '1004']);
	});

	it('keeps to the name filter, asking OFAuth to search as well', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll({ nameFilter: 'best' }),
		});

		expect(result.output.map((item) => item.json.listName)).toEqual(['Best Of 2026']);
		const listing = (await sandbox.requests()).find((request) => request.method === 'GET');
		expect(listing?.query).toMatchObject({ query: 'best', limit: '40', offset: '0' });
	});

	it("pages through all of a connection's lists, 40 at a time", async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_bella' }],
			parameters: syncAll({ options: { maxRetries: 0 } }),
		});

		// Bella has 45 lists: 43 custom (2001, 2002 and 41 archives), a streams and a stickers list.
		expect(result.output).toHaveLength(43);
		expect(new Set(result.output.map((item) => item.json.listId)).size).toBe(43);
		const offsets = (await sandbox.requests()).filter((request) => request.method === 'GET').map((request) => request.query.offset);
		expect(offsets).toEqual(['0', '40']);
	});

	it("outputs each input item's lists in input order, each paired to its own input item", async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }, { connection: 'conn_dana' }],
			parameters: syncAll({ options: { maxRetries: 0 } }),
			onError: 'continueRegularOutput',
		});

		// Dana has Vault+ switched off: its one custom list fails, paired to item 1.
		expect(result.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }, { item: 1 }]);
		expect(result.output[3].json.error).toBe('OFAuth refused access to Vault+ for connection conn_dana [item 1]');
	});

	it('goes on with the other lists when one fails and continue-on-fail is on', async () => {
		await sandbox.injectFault({ status: 404, match: { pathPrefix: '/v2/vault-plus/lists/1002/' } });
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll({ options: { maxRetries: 0 } }),
			onError: 'continueRegularOutput',
		});

		expect(result.output).toHaveLength(3);
		const failed = result.output.filter((item) => typeof item.json.error === 'string');
		expect(failed.map((item) => item.json.error)).toEqual(['Vault list 1002 or connection conn_alice was not found [item 0]']);
		expect(result.output.filter((item) => item.json.synced === true)).toHaveLength(2);
	});

	it('gives one error item for a connection it cannot list', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_cora' }, { connection: 'conn_alice' }],
			parameters: syncAll({ options: { maxRetries: 0 } }),
			onError: 'continueRegularOutput',
		});

		expect(result.output[0].json.error).toBe('The OnlyFans session of connection conn_cora has expired [item 0]');
		expect(result.output.slice(1).map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 1 }, { item: 1 }]);
	});
});

describe('Add Summary', () => {
	it('adds whether anything changed and a one-line summary naming the list', async () => {
		await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll({ nameFilter: 'beach' }),
		});
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ connection: 'conn_alice' }],
			parameters: syncAll({ options: { addSummary: true } }),
		});

		const byList = Object.fromEntries(result.output.map((item) => [item.json.listId, item.json]));
		expect(byList['1001']).toMatchObject({
			changed: false,
			summary: 'List 1001 (Beach Set): 4 seen, +0 added, 0 updated, -0 removed, 4 unchanged, 0 adopted',
		});
		expect(byList['1002']).toMatchObject({
			changed: true,
			summary: 'List 1002 (Best Of 2026): 3 seen, +1 added, 0 updated, -0 removed, 0 unchanged, 2 adopted',
		});
	});

	it('names a list picked from the dropdown in "Sync List" too, and only the ID otherwise', async () => {
		const picked = await runSync({
			credentials: sandbox.credentials(),
			parameters: {
				connectionId: byId('conn_alice'),
				listId: { ...fromList('1001'), cachedResultName: 'Beach Set' },
				options: { addSummary: true },
			},
		});
		expect(picked.output[0].json.summary).toBe('List 1001 (Beach Set): 4 seen, +4 added, 0 updated, -0 removed, 0 unchanged, 0 adopted');
		expect(picked.output[0].json.listName).toBeUndefined();

		const typed = await runSync({
			credentials: sandbox.credentials(),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1002'), options: { addSummary: true } },
		});
		expect(typed.output[0].json.summary).toMatch(/^List 1002: 3 seen/);
	});

	it('leaves the output as it was without the option', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1001') },
		});

		expect(Object.keys(result.output[0].json).sort()).toEqual(
			['synced', 'listId', 'seen', 'addedItems', 'updatedItems', 'removedItems', 'unchangedItems', 'adoptedItems', 'connectionId'].sort(),
		);
	});
});
