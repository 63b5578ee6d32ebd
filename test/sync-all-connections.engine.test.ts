import axios from 'axios';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runSync } from './harness/engine';
import { useSandbox } from '../sandbox/client';
import { defaultSeed } from '../sandbox/seed';

// The bundled seed with 110 filler connections (two active, one expired, and so on), so the 115
// connections of the key take two pages of 100; Dana's Vault+ is on, so every active account is healthy.
const seed = defaultSeed();
seed.generatedConnections = { ...seed.generatedConnections!, count: 110 };
seed.connections = seed.connections.map((connection) =>
	connection.id === 'conn_dana' ? { ...connection, vaultPlusEnabled: true } : connection,
);
const sandbox = useSandbox({ seed });

const allActive = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'syncAllLists',
	connectionScope: 'allActive',
	...extra,
});

/** The five named sandbox accounts ("Alice Sandbox", …), not the fillers. */
const NAMED = { connectionFilter: 'sandbox' };

const EXPIRED_BODY = { error: 'Connection session has expired', type: 'SESSION_EXPIRED' };

async function requestsOf(method: string, pathPrefix: string) {
	return (await sandbox.requests()).filter((request) => request.method === method && request.path.startsWith(pathPrefix));
}

const synced = (items: INodeExecutionData[]) => items.filter((item) => item.json.skipped === false);
const skipped = (items: INodeExecutionData[]) => items.filter((item) => item.json.skipped === true);

describe("Sync All Lists over all active connections ('Connections': All Active Connections)", () => {
	it("syncs every active connection's lists, names the ones that need reconnecting, and pairs every item", async () => {
		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive(NAMED) });

		// No 'On Error' setting: connections that need reconnecting do not fail the run.
		expect(result.run.status).toBe('success');
		expect(result.output.every((item) => typeof item.json.skipped === 'boolean')).toBe(true);
		expect(result.output.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		// Alice's 3 custom lists, Bella's 43, Dana's 1.
		const byConnection = (id: string) => synced(result.output).filter((item) => item.json.connectionId === id);
		expect(byConnection('conn_alice').map((item) => item.json.listId).sort()).toEqual(['1001', '1002', '1006']);
		expect(byConnection('conn_bella')).toHaveLength(43);
		expect(byConnection('conn_dana').map((item) => item.json.listName)).toEqual(['Travel']);
		expect(synced(result.output)).toHaveLength(47);
		expect(synced(result.output).every((item) => item.json.synced === true)).toBe(true);

		expect(skipped(result.output).map((item) => item.json)).toEqual([
			{
				skipped: true,
				connectionId: 'conn_cora',
				connectionName: 'Cora Sandbox',
				username: 'cora_sbx',
				connectionStatus: 'expired',
				reason: 'The OnlyFans session of connection conn_cora (Cora Sandbox) has expired',
				whatToDo: expect.stringContaining('Reconnect this OnlyFans account through OFAuth Link'),
			},
			{
				skipped: true,
				connectionId: 'conn_erin',
				connectionName: 'Erin Sandbox',
				username: 'erin_sbx',
				connectionStatus: 'awaiting_2fa',
				reason: 'The OnlyFans login of connection conn_erin (Erin Sandbox) is waiting for two-factor authentication',
				whatToDo: expect.stringContaining('Finish the two-factor check'),
			},
		]);
		// Nothing is sent for a connection listed as needing reconnecting.
		const touched = new Set((await sandbox.requests()).map((request) => request.connectionId).filter(Boolean));
		expect([...touched].sort()).toEqual(['conn_alice', 'conn_bella', 'conn_dana']);
		expect(result.hints).toEqual([
			expect.objectContaining({ type: 'warning', message: expect.stringContaining('2 connections were skipped because they need reconnecting') }),
		]);
	});

	it('reads every page of connections, asking for all statuses, 100 at a time', async () => {
		await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'alice' }) });

		const pages = await requestsOf('GET', '/v2/account/connections');
		expect(pages.map((request) => request.query)).toEqual([
			{ limit: '100', offset: '0' },
			{ limit: '100', offset: '100' },
		]);
	});

	it('syncs the connections of the second page as well', async () => {
		// filler_104 is on the second page (the 109th connection) and active.
		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'FILLER_104' }) });

		expect(result.output).toEqual([]);
		expect((await requestsOf('GET', '/v2/access/vault/lists')).map((request) => request.connectionId)).toEqual(['conn_fill_104']);
		expect(result.hints).toEqual([expect.objectContaining({ type: 'info', message: expect.stringContaining('found no vault list to sync') })]);
	});

	it("keeps to 'Connection Filter', on the account name or username, ignoring case", async () => {
		const byName = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'ALICE sand' }) });
		expect(new Set(byName.output.map((item) => item.json.connectionId))).toEqual(new Set(['conn_alice']));
		expect(byName.output).toHaveLength(3);

		await sandbox.clearRequests();
		const byUsername = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'Cora_SBX' }) });
		expect(byUsername.output.map((item) => [item.json.skipped, item.json.connectionId])).toEqual([[true, 'conn_cora']]);
		expect(await requestsOf('PUT', '/')).toEqual([]);
	});

	it('gives a skipped item, not a failed run, for a connection whose session expired after it was listed as active', async () => {
		// The connections as OFAuth listed them while Alice's session was still alive …
		const listing = await axios.get<IDataObject>(`${sandbox.url}/v2/account/connections`, {
			params: { limit: 100, offset: 0 },
			headers: { apiKey: sandbox.credentials().apiKey },
		});
		const named = (listing.data.list as IDataObject[]).filter((connection) => String(connection.id).match(/^conn_(alice|bella)$/));
		expect(named.map((connection) => connection.status)).toEqual(['active', 'active']);
		await sandbox.injectFault({ match: { method: 'GET', pathPrefix: '/v2/account/connections' }, body: { list: named, hasMore: false } });
		// … then the session expires before its lists are read.
		await sandbox.setSession('conn_alice', 'expired');

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive() });

		expect(result.run.status).toBe('success');
		expect(skipped(result.output).map((item) => [item.json.connectionId, item.json.connectionStatus, item.json.reason, item.pairedItem])).toEqual([
			['conn_alice', 'expired', 'The OnlyFans session of connection conn_alice (Alice Sandbox) has expired', { item: 0 }],
		]);
		expect(synced(result.output)).toHaveLength(43);
		expect(synced(result.output).every((item) => item.json.connectionId === 'conn_bella')).toBe(true);
	});

	it("stops a connection's syncs at the first that answers its session expired, keeps what synced before, and goes on with the others", async () => {
		await sandbox.injectFault({ status: 401, body: EXPIRED_BODY, match: { method: 'PUT', pathPrefix: '/v2/vault-plus/lists/1002/' } });

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: '_sbx', options: { maxRetries: 0 } }) });

		expect(result.run.status).toBe('success');
		const alice = result.output.filter((item) => item.json.connectionId === 'conn_alice');
		// OFAuth lists Alice's custom lists as 1006, 1002, 1001; they are synced in that order.
		expect(alice.map((item) => [item.json.listId ?? null, item.json.skipped])).toEqual([
			['1006', false],
			[null, true],
		]);
		expect(alice[1].json.reason).toBe('The OnlyFans session of connection conn_alice (Alice Sandbox) has expired');
		// 1001 was not sent once Alice's session was known to be gone.
		expect((await requestsOf('PUT', '/')).filter((request) => request.connectionId === 'conn_alice').map((request) => request.path)).toEqual([
			'/v2/vault-plus/lists/1006/sync',
			'/v2/vault-plus/lists/1002/sync',
		]);
		expect(synced(result.output).filter((item) => item.json.connectionId !== 'conn_alice')).toHaveLength(44);
	});

	it("outputs other failures as error items {error, message} with 'On Error' continue, beside the skipped items", async () => {
		await sandbox.setVaultPlus('conn_dana', false);

		const result = await runSync({
			credentials: sandbox.credentials(),
			parameters: allActive({ connectionFilter: 'a sandbox', options: { maxRetries: 0 } }),
			onError: 'continueErrorOutput',
		});

		expect(result.run.status).toBe('success');
		expect(result.errorOutput.map((item) => [Object.keys(item.json).sort(), item.json.error, item.pairedItem])).toEqual([
			[['error', 'message'], 'OFAuth refused access to Vault+ for connection conn_dana [item 0]', { item: 0 }],
		]);
		expect(result.errorOutput[0].json.message).toContain('Enable Vault+ for this connection');
		// 'a sandbox' keeps Bella, Cora and Dana: Cora (expired) is on the main output, with Bella's results.
		expect(skipped(result.output).map((item) => item.json.connectionId)).toEqual(['conn_cora']);
		expect(synced(result.output)).toHaveLength(43);
	});

	it('fails the run on such a failure without continue-on-fail', async () => {
		await sandbox.setVaultPlus('conn_dana', false);

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'dana', options: { maxRetries: 0 } }) });

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('OFAuth refused access to Vault+ for connection conn_dana [item 0]');
	});

	it("hints at results output with 'synced' false", async () => {
		await sandbox.injectFault({ body: { synced: false, listId: '1001', seen: 0, addedItems: 0, updatedItems: 0, removedItems: 0, unchangedItems: 0, adoptedItems: 0 }, match: { method: 'PUT', pathPrefix: '/v2/vault-plus/lists/1001/' } });

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'alice', options: { outputUnsyncedResults: true } }) });

		expect(result.output.map((item) => [item.json.listId, item.json.synced, item.json.skipped])).toEqual([
			['1006', true, false],
			['1002', true, false],
			['1001', false, false],
		]);
		expect(result.hints).toEqual([expect.objectContaining({ type: 'warning', message: expect.stringContaining("1 result has 'synced' false") })]);
	});

	it('pairs each input item with its own connections when several items run, each with its own filter', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ who: 'alice' }, { who: 'cora' }],
			parameters: allActive({ connectionFilter: '={{ $json.who }}' }),
		});

		expect(result.output.map((item) => [item.json.connectionId, item.json.skipped, item.pairedItem])).toEqual([
			['conn_alice', false, { item: 0 }],
			['conn_alice', false, { item: 0 }],
			['conn_alice', false, { item: 0 }],
			['conn_cora', true, { item: 1 }],
		]);
	});

	it("names a connection OFAuth has no session for (401 SESSION_NOT_PROVIDED while its lists are read) as 'no_session'", async () => {
		await sandbox.injectFault({
			status: 401,
			body: { error: 'Connection not found or missing session data', type: 'SESSION_NOT_PROVIDED' },
			match: { method: 'GET', pathPrefix: '/v2/access/vault/lists' },
		});

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'alice' }) });

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => item.json)).toEqual([
			expect.objectContaining({
				skipped: true,
				connectionId: 'conn_alice',
				connectionStatus: 'no_session',
				reason: 'OFAuth has no OnlyFans session for connection conn_alice (Alice Sandbox)',
			}),
		]);
		expect(await requestsOf('PUT', '/')).toEqual([]);
	});

	it('tries a connection listed without a status, skips one with a status the docs do not name, and falls back to the username, then the ID, for its name', async () => {
		await sandbox.injectFault({
			match: { method: 'GET', pathPrefix: '/v2/account/connections' },
			body: {
				list: [
					{ id: 'conn_alice', userData: { name: 'Alice Sandbox', username: 'alice_sbx' } },
					{ id: 'conn_bella', status: 'suspended', userData: { username: 'bella_sbx' } },
					{ id: 'conn_cora', status: 'expired' },
				],
				hasMore: false,
			},
		});

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive() });

		expect(synced(result.output).map((item) => item.json.connectionId)).toEqual(['conn_alice', 'conn_alice', 'conn_alice']);
		expect(skipped(result.output).map((item) => [item.json.connectionId, item.json.connectionName, item.json.username, item.json.connectionStatus, item.json.reason])).toEqual([
			['conn_bella', 'bella_sbx', 'bella_sbx', 'suspended', "OFAuth lists connection conn_bella (bella_sbx) as 'suspended', not active"],
			['conn_cora', 'conn_cora', null, 'expired', 'The OnlyFans session of connection conn_cora (conn_cora) has expired'],
		]);
	});

	it('fails the item, syncing nothing, when pages of connections repeat themselves', async () => {
		const page = { list: [{ id: 'conn_alice', status: 'active', userData: { name: 'Alice Sandbox', username: 'alice_sbx' } }], hasMore: true };
		await sandbox.injectFault({ match: { method: 'GET', pathPrefix: '/v2/account/connections' }, body: page, count: 2 });

		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive(), onError: 'continueRegularOutput' });

		expect(result.output.map((item) => item.json)).toEqual([
			{
				error: 'Could not list every connection of the API key [item 0]',
				message: expect.stringContaining("OFAuth's page 2 of connections repeated connections already listed"),
			},
		]);
		expect(await requestsOf('PUT', '/')).toEqual([]);
	});

	it('runs the same, without hints, where the host has no addExecutionHints', async () => {
		const result = await runSync({ credentials: sandbox.credentials(), parameters: allActive({ connectionFilter: 'cora' }), withoutExecutionHints: true });

		expect(result.run.status).toBe('success');
		expect(result.output.map((item) => [item.json.connectionId, item.json.skipped])).toEqual([['conn_cora', true]]);
		expect(result.hints).toEqual([]);
	});

	it('fails the run, syncing nothing, when the connections cannot be listed and continue-on-fail is off', async () => {
		await sandbox.injectFault({ status: 503, match: { method: 'GET', pathPrefix: '/v2/account/connections' }, count: 2 });

		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{}, {}],
			parameters: allActive({ options: { maxRetries: 0 } }),
		});

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe('OFAuth could not complete the request (HTTP 503) [item 0]');
		expect((await sandbox.requests()).map((request) => request.path)).toEqual(['/v2/account/connections']);
	});
});
