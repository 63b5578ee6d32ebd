/**
 * The end-to-end suite, run once per pinned n8n: the packed package in a real n8n's custom folder,
 * driven through the n8n CLI and REST API, against the Vault+ sandbox in this process.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { AxiosInstance } from 'axios';

import { nodeOutput, type N8nInstance, type RunningN8n } from '../../scripts/n8n-instance';
import type { RuntimeName } from '../../scripts/n8n-runtime';
import { setUpPackagedN8n, type DemoSetup } from '../../scripts/demo/setup';
import { DEMO_TARGETS, predictRun, STORY } from '../../scripts/demo/story';
import {
	CREDENTIAL,
	demoWorkflow,
	loadExample,
	SANDBOX_API_KEY,
	sandboxCredential,
	smtpCredential,
	SYNC_NODE_NAME,
} from '../../scripts/demo/workflows';
import type { Sandbox } from '../../sandbox/server';
import { listedNodeTypes, listSearch, testCredential } from '../harness/editor-api';

const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1e2e', firstName: 'Vault', lastName: 'Owner' };

/** Item 1 names an expired connection: OFAuth answers 401 SESSION_EXPIRED. */
const TARGETS_WITH_EXPIRED = [
	{ connectionId: 'conn_alice', listId: '1006', name: 'Empty Drafts' },
	{ connectionId: 'conn_cora', listId: '3001', name: 'Old Promo' },
];
const FAILING = demoWorkflow(TARGETS_WITH_EXPIRED, {
	id: 'vaultPlusFails01',
	name: 'Vault+ e2e: expired connection',
	onError: 'stopWorkflow',
});
const CONTINUING = demoWorkflow(TARGETS_WITH_EXPIRED, {
	id: 'vaultPlusGoesOn1',
	name: 'Vault+ e2e: continue on fail',
	onError: 'continueRegularOutput',
});
const EXPIRED_MESSAGE = 'The OnlyFans session of connection conn_cora has expired [item 1]';

/** The "sync one list" example turned into "Sync All Lists" of Bella's gym lists, with summaries. */
function syncAllWorkflow() {
	const example = loadExample('syncOne');
	return {
		...example,
		id: 'vaultPlusSyncAll',
		name: 'Vault+ e2e: sync all lists',
		nodes: example.nodes.map((node) =>
			node.name === SYNC_NODE_NAME
				? {
						...node,
						parameters: {
							operation: 'syncAllLists',
							connectionId: { __rl: true, mode: 'id', value: 'conn_bella' },
							nameFilter: 'gym',
							options: { addSummary: true },
						},
					}
				: node,
		),
	};
}

/**
 * The nightly job as users run it, two branches from one trigger, each Vault+ Sync node set to
 * "On Error: Continue (using error output)" with its outputs led to distinct No Operation nodes:
 * - "Sync List" of Alice's Empty Drafts (syncs) and of Cora's Old Promo (expired: fails);
 * - "Sync All Lists" of every active connection named "… Sandbox": Alice's and Bella's lists sync,
 *   Cora (expired) and Erin (awaiting 2FA) come out as skipped items, Dana (Vault+ off) fails.
 */
function errorOutputWorkflow() {
	const noOp = (id: string, name: string, y: number) => ({
		id,
		name,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [600, y],
		parameters: {},
	});
	const sync = (id: string, name: string, y: number, parameters: Record<string, unknown>) => ({
		id,
		name,
		type: 'CUSTOM.vaultPlusSync',
		typeVersion: 1,
		position: [400, y],
		onError: 'continueErrorOutput',
		parameters: { ...parameters, options: { maxRetries: 0 } },
		credentials: { ofAuthApi: CREDENTIAL },
	});
	const targets = TARGETS_WITH_EXPIRED.map(({ connectionId, listId }) => ({ json: { connectionId, listId } }));
	return {
		id: 'vaultPlusErrOut01',
		name: 'Vault+ e2e: error output and all active connections',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'e-t', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'e-c', name: 'Targets', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: `return ${JSON.stringify(targets)};` } },
			sync('e-s', 'Sync List', 0, {
				operation: 'syncList',
				connectionId: { __rl: true, mode: 'id', value: '={{ $json.connectionId }}' },
				listId: { __rl: true, mode: 'id', value: '={{ $json.listId }}' },
			}),
			noOp('e-s1', 'Synced', 0),
			noOp('e-s2', 'Sync failed', 150),
			sync('e-a', 'Sync All Active', 400, { operation: 'syncAllLists', connectionScope: 'allActive', connectionFilter: 'sandbox' }),
			noOp('e-a1', 'All: main', 400),
			noOp('e-a2', 'All: failed', 550),
		],
		connections: {
			Start: { main: [[{ node: 'Targets', type: 'main', index: 0 }, { node: 'Sync All Active', type: 'main', index: 0 }]] },
			Targets: { main: [[{ node: 'Sync List', type: 'main', index: 0 }]] },
			'Sync List': { main: [[{ node: 'Synced', type: 'main', index: 0 }], [{ node: 'Sync failed', type: 'main', index: 0 }]] },
			'Sync All Active': { main: [[{ node: 'All: main', type: 'main', index: 0 }], [{ node: 'All: failed', type: 'main', index: 0 }]] },
		},
	};
}

/**
 * n8n's HTTP Request node with "OFAuth API" as its predefined credential type, one request per item:
 * to the credential's own Base URL, to another server, and to a Base URL path that redirects away.
 */
function httpRequestWorkflow(urls: string[]) {
	return {
		id: 'vaultPlusHttpReq1',
		name: 'Vault+ e2e: HTTP Request node with the OFAuth API credential',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'h-t', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'h-c',
				name: 'Targets',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `return ${JSON.stringify(urls.map((url) => ({ json: { url } })))};` },
			},
			{
				id: 'h-r',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [400, 0],
				onError: 'continueRegularOutput',
				parameters: {
					url: '={{ $json.url }}',
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'ofAuthApi',
					options: {},
				},
				credentials: { ofAuthApi: CREDENTIAL },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Targets', type: 'main', index: 0 }]] },
			Targets: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] },
		},
	};
}

/** A server that is not OFAuth: it records every request it gets and must never see the key. */
async function startBystander(): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
	const seen: IncomingHttpHeaders[] = [];
	const server = createServer((req, res) => {
		seen.push(req.headers);
		res.setHeader('content-type', 'application/json');
		res.end('{"ok":true}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

export function describeE2e(runtimeName: RuntimeName): void {
	describe(`the package in real n8n (${runtimeName})`, () => {
		let setup: DemoSetup | undefined;
		let sandbox: Sandbox;
		let instance: N8nInstance;

		beforeAll(async () => {
			setup = await setUpPackagedN8n({ runtime: runtimeName, skipBuild: true });
			({ sandbox, instance } = setup);
			await instance.importCredentials([sandboxCredential(sandbox.url), smtpCredential(setup.mailbox)]);
			await instance.importWorkflows([
				demoWorkflow(DEMO_TARGETS),
				loadExample('nightly'),
				loadExample('syncOne'),
				loadExample('allLists'),
				loadExample('errorWorkflow'),
				FAILING,
				CONTINUING,
				syncAllWorkflow(),
				errorOutputWorkflow(),
			]);
		});

		afterAll(async () => {
			await setup?.close();
		});

		it('runs the three-run sync story with the exact counts the sandbox model predicts', async () => {
			for (const run of STORY) {
				for (const change of run.changes) {
					sandbox.admin.patchListMedia(change.connectionId, change.listId, change.patch);
				}
				const predicted = predictRun(sandbox.state, DEMO_TARGETS);
				sandbox.clearRequests();
				const mailsBefore = setup!.mailbox.mails.length;

				const result = await instance.execute('vaultPlusDemo001');

				expect(result.exitCode).toBe(0);
				expect(result.run?.status).toBe('success');
				// The example's IF node alerts on removals: one email listing those lists, none without any.
				const alerted = nodeOutput(result.run, 'Media removed or sync incomplete?');
				const mails = setup!.mailbox.mails.slice(mailsBefore);
				expect(mails.map((mail) => mail.subject)).toEqual(
					alerted.length > 0 ? [`Vault+ nightly sync: ${alerted.length} list(s) lost media or did not finish`] : [],
				);
				for (const item of alerted) expect(mails[0].text).toContain(`- ${String(item.connectionId)}: ${String(item.summary)}`);
				// The nightly example also adds the summary fields; the counts are what the model predicts.
				expect(nodeOutput(result.run, SYNC_NODE_NAME)).toEqual(
					predicted.map((counts, at) =>
						expect.objectContaining({ ...counts, connectionId: DEMO_TARGETS[at].connectionId, changed: expect.any(Boolean) }),
					),
				);
				// Connections run at once, so only each connection's own order is fixed.
				const byConnection = (entries: Array<{ connectionId?: string; path: string }>) =>
					[...new Set(entries.map((entry) => entry.connectionId))].sort().map((connection) => [
						connection,
						entries.filter((entry) => entry.connectionId === connection).map((entry) => entry.path),
					]);
				const syncs = sandbox.requests().filter((request) => request.method === 'PUT');
				expect(syncs.every((request) => request.apiKeyValid)).toBe(true);
				expect(byConnection(syncs)).toEqual(
					byConnection(
						DEMO_TARGETS.map((target) => ({
							connectionId: target.connectionId,
							path: `/v2/vault-plus/lists/${target.listId}/sync`,
						})),
					),
				);
			}
		});

		it('runs the "sync one list" example as imported', async () => {
			const result = await instance.execute('vaultPlusSyncOne');

			expect(result.exitCode).toBe(0);
			expect(nodeOutput(result.run, SYNC_NODE_NAME)).toEqual([
				expect.objectContaining({ synced: true, listId: '1001', connectionId: 'conn_alice' }),
			]);
		});

		it('syncs all lists of a connection that pass the filters, with summaries', async () => {
			// In the order OFAuth lists them (newest first), which is the order the node syncs them in.
			const gymLists = [
				{ connectionId: 'conn_bella', listId: '2002', name: 'Gym Videos' },
				{ connectionId: 'conn_bella', listId: '2001', name: 'Gym Photos' },
			];
			const predicted = predictRun(sandbox.state, gymLists);
			const result = await instance.execute('vaultPlusSyncAll');

			expect(result.exitCode).toBe(0);
			const items = nodeOutput(result.run, SYNC_NODE_NAME);
			expect(items).toHaveLength(2);
			for (const [at, list] of gymLists.entries()) {
				const counts = predicted[at];
				expect(items.find((item) => item.listId === list.listId)).toEqual({
					...counts,
					connectionId: 'conn_bella',
					listName: list.name,
					changed: counts.addedItems + counts.updatedItems + counts.removedItems + counts.adoptedItems > 0,
					summary: `List ${list.listId} (${list.name}): ${counts.seen} seen, +${counts.addedItems} added, ${counts.updatedItems} updated, -${counts.removedItems} removed, ${counts.unchangedItems} unchanged, ${counts.adoptedItems} adopted`,
				});
			}
		});

		it('waits out a 429 as Retry-After says and then syncs', async () => {
			sandbox.admin.addFault({ status: 429, headers: { 'retry-after': '1' } });
			sandbox.clearRequests();
			const result = await instance.execute('vaultPlusSyncOne');

			expect(result.exitCode).toBe(0);
			expect(nodeOutput(result.run, SYNC_NODE_NAME)).toEqual([
				expect.objectContaining({ synced: true, listId: '1001' }),
			]);
			const syncs = sandbox.requests().filter((request) => request.method === 'PUT');
			expect(syncs.map((request) => [request.path, request.status])).toEqual([
				['/v2/vault-plus/lists/1001/sync', 429],
				['/v2/vault-plus/lists/1001/sync', 200],
			]);
			expect(syncs[1].startedAt - syncs[0].startedAt).toBeGreaterThanOrEqual(1000);
		});

		it('fails a workflow on an expired connection with exit code 1 and the message a user sees', async () => {
			const result = await instance.execute(FAILING.id);

			expect(result.exitCode).toBe(1);
			const error = result.run?.data.resultData.error;
			expect(error?.message).toBe(EXPIRED_MESSAGE);
			expect(String(error?.description)).toContain('Reconnect this OnlyFans account through OFAuth Link');
			expect(result.stdout + result.stderr).toContain(EXPIRED_MESSAGE);
		});

		it('continues on fail with one paired output item per input item', async () => {
			const result = await instance.execute(CONTINUING.id);

			expect(result.exitCode).toBe(0);
			const task = result.run?.data.resultData.runData[SYNC_NODE_NAME]?.[0];
			const items = task?.data?.main?.[0] ?? [];
			expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(items[0].json).toMatchObject({ synced: true, listId: '1006', seen: 0 });
			expect(items[1].json.error).toBe(EXPIRED_MESSAGE);
		});

		it('sends failed items to the error output as {error, message}, and connections needing reconnecting to the main output as skipped items', async () => {
			const result = await instance.execute('vaultPlusErrOut01');

			expect(result.exitCode).toBe(0);
			expect(result.run?.status).toBe('success');
			// Sync List: Alice's sync on the main output, Cora's expired session on the error output.
			expect(nodeOutput(result.run, 'Synced')).toEqual([expect.objectContaining({ synced: true, listId: '1006', connectionId: 'conn_alice' })]);
			// n8n adds the failed input item's own fields (connectionId, listId) to what the node output.
			expect(nodeOutput(result.run, 'Sync failed')).toEqual([
				{
					connectionId: 'conn_cora',
					listId: '3001',
					error: EXPIRED_MESSAGE,
					message: expect.stringContaining('Reconnect this OnlyFans account through OFAuth Link'),
				},
			]);

			// Sync All Lists over all active connections: healthy accounts synced, the others named.
			const main = nodeOutput(result.run, 'All: main');
			expect(main.every((item) => typeof item.skipped === 'boolean')).toBe(true);
			expect(main.filter((item) => item.skipped === false).map((item) => item.connectionId).sort()).toEqual([
				...Array<string>(3).fill('conn_alice'),
				...Array<string>(43).fill('conn_bella'),
			]);
			expect(main.filter((item) => item.skipped === true)).toEqual([
				expect.objectContaining({ connectionId: 'conn_cora', connectionName: 'Cora Sandbox', username: 'cora_sbx', connectionStatus: 'expired' }),
				expect.objectContaining({ connectionId: 'conn_erin', connectionStatus: 'awaiting_2fa' }),
			]);
			expect(nodeOutput(result.run, 'All: failed')).toEqual([
				{
					error: 'OFAuth refused access to Vault+ for connection conn_dana [item 0]',
					message: expect.stringContaining('Enable Vault+ for this connection'),
				},
			]);
			const task = result.run?.data.resultData.runData['Sync All Active']?.[0] as { hints?: Array<{ message: string }> } | undefined;
			expect((task?.hints ?? []).map((hint) => hint.message)).toEqual([expect.stringContaining('2 connections were skipped because they need reconnecting')]);
		});

		it("keeps the key to the credential's Base URL when n8n's HTTP Request node uses the credential", async () => {
			const bystander = await startBystander();
			try {
				sandbox.admin.addFault({
					match: { method: 'GET', pathPrefix: '/v2/account/connections' },
					status: 302,
					headers: { location: `${bystander.url}/redirected` },
				});
				const workflow = httpRequestWorkflow([
					`${sandbox.url}/v2/account/whoami`,
					`${bystander.url}/v2/account/whoami`,
					`${sandbox.url.replace('127.0.0.1', 'localhost')}/v2/account/whoami`,
					`${sandbox.url}/v2/account/connections`,
				]);
				await instance.importWorkflows([workflow]);
				sandbox.clearRequests();

				const result = await instance.execute(workflow.id);

				const items = nodeOutput(result.run, 'HTTP Request');
				expect(items).toHaveLength(4);
				// Another API endpoint at the Base URL still authenticates.
				expect(items[0]).toMatchObject({ id: expect.any(String) });
				expect(sandbox.requests()[0]).toMatchObject({ path: '/v2/account/whoami', apiKeyValid: true });
				// Another server, and another origin of the same machine, are refused with a reason.
				for (const refused of [items[1], items[2]]) {
					expect(JSON.stringify(refused.error)).toContain(`credential only sends its API key to ${sandbox.url}`);
				}
				// A redirect away from the Base URL is not followed.
				expect(items[3]).toHaveProperty('error');
				expect(bystander.seen.filter((headers) => 'apikey' in headers)).toEqual([]);
				expect(bystander.seen).toEqual([]);
			} finally {
				bystander.server.close();
			}
		});

		describe('in the editor (n8n start)', () => {
			let server: RunningN8n;
			let api: AxiosInstance;

			beforeAll(async () => {
				server = await instance.start();
				api = await server.setupOwner(OWNER);
			});

			afterAll(async () => {
				await server?.stop();
			});

			it('lists the node and its AI-tool form among the node types', async () => {
				const types = await listedNodeTypes(api);

				expect(types).toEqual(expect.arrayContaining(['CUSTOM.vaultPlusSync', 'CUSTOM.vaultPlusSyncTool']));
			});

			it('passes the credential test with the sandbox key and fails it with a bad one', async () => {
				const good = await testCredential(api, {
					...CREDENTIAL,
					type: 'ofAuthApi',
					data: { apiKey: SANDBOX_API_KEY, baseUrl: sandbox.url },
				});
				expect(good).toEqual({ status: 'OK', message: 'Connection successful!' });

				const bad = await testCredential(api, {
					...CREDENTIAL,
					type: 'ofAuthApi',
					data: { apiKey: 'wrong-key', baseUrl: sandbox.url },
				});
				expect(bad.status).toBe('Error');
				// n8n 1.123 shows its own 401 text here instead of the credential's responseCode rule.
				expect(bad.message).toContain(
					runtimeName === 'n8n1' ? 'Authorization failed - please check your credentials' : 'OFAuth rejected the API key',
				);
			});

			it('fills both dropdowns: connections, then the vault lists of the chosen connection', async () => {
				const credentials = { ofAuthApi: CREDENTIAL };
				const connections = await listSearch(api, {
					methodName: 'searchConnections',
					credentials,
					currentNodeParameters: {
						connectionId: { __rl: true, mode: 'list', value: '' },
						listId: { __rl: true, mode: 'list', value: '' },
					},
					filter: 'alice',
				});
				expect(connections.results).toEqual([{ name: 'Alice Sandbox (@alice_sbx)', value: 'conn_alice' }]);

				const bellaParameters = {
					connectionId: { __rl: true, mode: 'list', value: 'conn_bella' },
					listId: { __rl: true, mode: 'list', value: '' },
				};
				const firstPage = await listSearch(api, {
					methodName: 'searchVaultLists',
					credentials,
					currentNodeParameters: bellaParameters,
				});
				expect(firstPage.results).toHaveLength(40);
				expect(firstPage.paginationToken).toBe('40');

				const searched = await listSearch(api, {
					methodName: 'searchVaultLists',
					credentials,
					currentNodeParameters: bellaParameters,
					filter: 'gym',
				});
				expect(searched.results).toEqual(
					expect.arrayContaining([
						{ name: 'Gym Photos', value: '2001' },
						{ name: 'Gym Videos', value: '2002' },
					]),
				);
				expect(searched.results).toHaveLength(2);
			});
		});
	});
}
