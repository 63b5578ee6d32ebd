import { runSync } from './harness/engine';
import { useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

// Item 1 names an unknown list, item 3 an expired connection; items 0 and 2 are fine.
const items = [
	{ connection: 'conn_alice', list: '1001' },
	{ connection: 'conn_alice', list: '999' },
	{ connection: 'conn_bella', list: '2001' },
	{ connection: 'conn_cora', list: '3001' },
];
const parameters = {
	connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
	listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
	options: { maxRetries: 0 },
};

describe('continue on fail', () => {
	it('stops at the first failing item when the node is set to stop the workflow', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [
				{ connection: 'conn_alice', list: '1001' },
				{ connection: 'conn_alice', list: '999' },
				{ connection: 'conn_alice', list: '1002' },
			],
			parameters,
		});

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('Vault list 999 or connection conn_alice was not found [item 1]');
		expect((await sandbox.requests()).map((request) => request.path)).toEqual([
			'/v2/vault-plus/lists/1001/sync',
			'/v2/vault-plus/lists/999/sync',
		]);
	});

	it('starts no further sync once one failed, and reports the earliest failed item', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items,
			parameters: { ...parameters, options: { maxRetries: 0, maxConcurrent: 1 } },
		});

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('Vault list 999 or connection conn_alice was not found [item 1]');
		expect(await sandbox.requests()).toHaveLength(2);
	});

	it('outputs one item per input item on the regular output, failures as error items paired to their input', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items,
			parameters,
			onError: 'continueRegularOutput',
		});

		expect(result.run.status).toBe('success');
		expect(result.output).toHaveLength(4);
		expect(result.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(result.output[0].json).toMatchObject({ synced: true, listId: '1001' });
		// Exactly {error, message}: the only shape n8n 1.x routes to an error output (with 'error' alone).
		expect(result.output[1].json).toEqual({
			error: 'Vault list 999 or connection conn_alice was not found [item 1]',
			message: expect.stringContaining('Check that vault list 999 exists'),
		});
		expect(result.output[2].json).toMatchObject({ synced: true, listId: '2001' });
		expect(result.output[3].json.error).toBe(
			'The OnlyFans session of connection conn_cora has expired [item 3]',
		);
		expect(Object.keys(result.output[3].json).sort()).toEqual(['error', 'message']);
		expect(result.output[3].json.message).toContain('OFAuth Link');
	});

	it('routes failed items to the error output and successes to the main output, each paired', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items,
			parameters,
			onError: 'continueErrorOutput',
		});

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => [item.json.listId, item.pairedItem])).toEqual([
			['1001', { item: 0 }],
			['2001', { item: 2 }],
		]);
		expect(result.errorOutput.map((item) => [item.json.error, item.pairedItem])).toEqual([
			['Vault list 999 or connection conn_alice was not found [item 1]', { item: 1 }],
			['The OnlyFans session of connection conn_cora has expired [item 3]', { item: 3 }],
		]);
	});

	it('keeps going after a bad expression value and a bad answer, losing no item', async () => {
		await sandbox.injectFault({ malformed: true, match: { pathPrefix: '/v2/vault-plus/lists/2001' } });
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [
				{ connection: 'conn_alice', list: 'not-a-list' },
				{ connection: 'conn_bella', list: '2001' },
				{ connection: 'conn_alice', list: '1001' },
			],
			parameters,
			onError: 'continueRegularOutput',
		});

		expect(result.output.map((item) => item.json.error ?? item.json.listId)).toEqual([
			"Invalid 'Vault List' value [item 0]",
			'OFAuth returned an unexpected sync result for vault list 2001 [item 1]',
			'1001',
		]);
	});

	it('stops on a bad Vault List ID before any other connection is synced, naming that item', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [
				{ connection: 'conn_alice', list: '1001' },
				{ connection: 'conn_alice', list: '1002' },
				{ connection: 'conn_alice', list: 'not-a-list' },
				{ connection: 'conn_bella', list: '2001' },
				{ connection: 'conn_cora', list: '3001' },
			],
			parameters,
		});

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe("Invalid 'Vault List' value [item 2]");
		expect((await sandbox.requests()).map((request) => request.connectionId)).toEqual(['conn_alice']);
	});

	it('reports a bad Vault List ID on its own item even when the credential is refused', async () => {
		const result = await runSync({
			credentials: { ...sandbox.credentials(), baseUrl: 'http://example.com' },
			items: [
				{ connection: 'conn_alice', list: '1001' },
				{ connection: 'conn_bella', list: 'not-a-list' },
			],
			parameters,
			onError: 'continueRegularOutput',
		});

		expect(result.output.map((item) => item.json.error)).toEqual([
			expect.stringContaining("The 'Base URL' of the 'OFAuth API' credential is not allowed"),
			"Invalid 'Vault List' value [item 1]",
		]);
		expect(await sandbox.requests()).toHaveLength(0);
	});
});
