import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { retryPolicy } from '../nodes/VaultPlusSync/actions/syncList';
import { parseErrorBody, stripTags } from '../nodes/VaultPlusSync/transport/errors';
import type { FaultSpec } from '../sandbox/server';
import { byId, capturedLogs, runSync, searchList, type OnError } from './harness/engine';
import { useSandbox } from '../sandbox/client';

/** A key with every character that JSON or URL encoding changes. */
const KEY = 'sk+Zk/93="qx\\Lp';
const ECHOED_FORMS = [KEY, JSON.stringify(KEY).slice(1, -1), encodeURIComponent(KEY)];

const sandbox = useSandbox({ apiKeys: [KEY] });

const credentials = (apiKey = KEY) => sandbox.credentials({ apiKey });

async function syncOnce(options: IDataObject = {}, onError: OnError = 'continueRegularOutput', apiKey = KEY) {
	return await runSync({
		credentials: credentials(apiKey),
		parameters: { connectionId: byId('conn_alice'), listId: byId('1001'), options: { maxRetries: 0, ...options } },
		onError,
	});
}

async function syncRequests() {
	return (await sandbox.requests()).filter((request) => request.method === 'PUT');
}

function everything(value: unknown): string {
	return JSON.stringify(value) + capturedLogs.join('\n');
}

describe('hostile answers', () => {
	it.each(['body', 'json-escaped', 'url-encoded', 'header'] as const)(
		'keeps the key, stored with a stray space and newline, out of everything when a server echoes it (%s)',
		async (echoApiKey) => {
			await sandbox.injectFault({ echoApiKey });
			const result = await syncOnce({}, 'continueRegularOutput', ` ${KEY} \n`);

			expect(result.output).toHaveLength(1);
			expect(String(result.output[0].json.error)).toContain('OFAuth rejected the API key');
			const seen = everything(result.run);
			for (const form of ECHOED_FORMS) expect(seen).not.toContain(form);
			// The key was sent trimmed, which is why the server accepted it for the echo.
			expect((await syncRequests())[0]).toMatchObject({ apiKeyPresent: true });
		},
	);

	it('keeps the key out of the items when a successful answer echoes it in names, IDs and statuses', async () => {
		const echoed = `echo ${KEY} echo`;
		await sandbox.injectFault({
			match: { method: 'GET', pathPrefix: '/v2/account/connections' },
			body: {
				list: [
					{ id: 'conn_alice', status: 'active', userData: { name: echoed, username: 'alice_sbx' } },
					{ id: 'conn_cora', status: echoed, userData: { name: 'Cora', username: echoed } },
				],
				hasMore: false,
			},
		});
		await sandbox.injectFault({
			match: { method: 'GET', pathPrefix: '/v2/access/vault/lists' },
			body: { list: [{ id: 1001, name: echoed, type: 'custom' }], hasMore: false },
		});

		const result = await runSync({
			credentials: credentials(),
			parameters: { operation: 'syncAllLists', connectionScope: 'allActive', options: { maxRetries: 0, addSummary: true } },
		});

		expect(result.output.map((item) => [item.json.connectionId, item.json.skipped])).toEqual([
			['conn_alice', false],
			['conn_cora', true],
		]);
		expect(result.output[0].json.listName).toBe('echo [redacted] echo');
		const seen = everything(result.run);
		for (const form of ECHOED_FORMS) expect(seen).not.toContain(form);
	});

	it('syncs with a key stored with a stray space and newline, sending it trimmed', async () => {
		const result = await syncOnce({}, 'stopWorkflow', `\t${KEY}\n`);

		expect(result.run.status).toBe('success');
		expect((await syncRequests())[0]).toMatchObject({ apiKeyValid: true });
	});

	it('shows only the start of a huge HTML error page, whatever it is made of', async () => {
		await sandbox.injectFault({ status: 500, repeatBody: { text: '<', times: 2_000_000 } });
		await sandbox.injectFault({ status: 404, repeatBody: { text: '<p>lost <b>page</b> ', times: 250_000 } });
		const first = await syncOnce();
		const second = await syncOnce();

		expect(String(first.output[0].json.error)).toContain('OFAuth could not complete the request (HTTP 500)');
		const described = String(second.output[0].json.message);
		expect(described).toContain('OFAuth said: lost page lost page');
		expect(described.length).toBeLessThan(2000);
	});

	it('strips tags in one pass, even from a page of a million unclosed tags', () => {
		expect(stripTags('<'.repeat(1_000_000))).toHaveLength(1_000_000);
		expect(stripTags('a<b>c</b>d<e')).toBe('a c d<e');
		expect(parseErrorBody(`${'<'.repeat(1_000_000)}>`, [KEY]).message?.length).toBeLessThanOrEqual(4096);
	}, 2000);

	it.each([
		['a success', 200, 'OFAuth returned an unexpected sync result for vault list 1001'],
		['an error', 401, 'OFAuth rejected the API key'],
	])('refuses JSON nested 100,000 deep in %s answer without parsing it', async (_case, status, message) => {
		await sandbox.injectFault({ status, rawBody: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, contentType: 'application/json' });
		const result = await syncOnce();

		expect(String(result.output[0].json.error)).toContain(message);
		if (status === 200) {
			expect(String(result.output[0].json.message)).toContain('the body nests deeper than 64 levels');
		}
	});

	it('refuses a success answer larger than 1 MiB without reading the rest of it', async () => {
		await sandbox.injectFault({ status: 200, repeatBody: { text: ' ', times: 20 * 1024 * 1024 }, contentType: 'application/json' });
		const result = await syncOnce();

		expect(String(result.output[0].json.error)).toContain('OFAuth returned an unexpected sync result for vault list 1001');
		expect(String(result.output[0].json.message)).toContain('the body is larger than 1 MiB');
	});

	it.each([
		['its body trickles in', { trickleMs: 40 }],
		['its status line and headers trickle in', { trickleMs: 40, trickleHeaders: true }],
		['it goes silent half way', { trickleMs: 5, trickleBytes: 20 }],
	])('ends an attempt at Timeout when %s, and retries it', async (_case, trickle: FaultSpec) => {
		await sandbox.injectFault(trickle);
		const result = await syncOnce({ timeout: 1 });

		expect(result.output[0].json.error).toBe('Could not reach OFAuth at ' + new URL(sandbox.url).host + ': it did not answer within the timeout [item 0]');
		// The node closed the connection then: the sandbox, still trickling, sees the client leave.
		let closed = false;
		for (let poll = 0; poll < 20 && !closed; poll++) {
			closed = (await syncRequests())[0]?.endedAt !== undefined;
			if (!closed) await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(closed).toBe(true);
		const retried = await syncOnce({ timeout: 1, maxRetries: 1 });
		expect(retried.output[0].json).toMatchObject({ synced: true, listId: '1001' });
	});

	it('clamps options set by expressions to their documented ranges', () => {
		expect(retryPolicy({ maxRetries: Infinity, maxWait: 1e9, timeout: Infinity })).toEqual({
			maxRetries: 10,
			maxWaitMs: 600_000,
			timeoutMs: 3_600_000,
		});
		expect(retryPolicy({ maxRetries: -3, maxWait: -1, timeout: 0 })).toEqual({ maxRetries: 0, maxWaitMs: 0, timeoutMs: 100 });
		expect(retryPolicy({ maxRetries: Number.NaN })).toMatchObject({ maxRetries: 4 });
	});

	it('gives up after 10 retries when Max Retries comes from an expression as Infinity', async () => {
		await sandbox.injectFault({ status: 503, count: 30 });
		const result = await syncOnce({ maxRetries: '={{ Infinity }}', maxWait: 0.001 });

		expect(result.output[0].json.message).toContain('Gave up after 11 attempts');
		expect(await syncRequests()).toHaveLength(11);
	});
});

describe('answers of the wrong shape', () => {
	it.each([
		['a connection name that is a number', { list: [{ id: 'conn_x', userData: { name: 5 } }], hasMore: false }, "list entry 0: 'name' is number, expected string"],
		['userData that is a list', { list: [{ id: 'conn_x', userData: ['a'] }], hasMore: false }, "'userData' is array, expected object"],
		['hasMore that is text', { list: [], hasMore: 'yes' }, "'hasMore' is string, expected boolean"],
	])('refuses, in the Connection dropdown, %s with the usual unexpected-answer error', async (_case, body, problem) => {
		await sandbox.injectFault({ match: { pathPrefix: '/v2/account/connections' }, body });
		const error = await searchList('searchConnections', { credentials: credentials() }).then(
			() => undefined,
			(caught: { message: string; description: string }) => caught,
		);

		expect(error?.message).toBe('OFAuth returned an unexpected list of connections');
		expect(error?.description).toContain(problem);
	});

	it('refuses a vault list whose name is not text, in the dropdown and in Sync All Lists', async () => {
		const body = { list: [{ id: 1001, name: { text: 'Beach' }, type: 'custom' }], hasMore: false };
		await sandbox.injectFault({ match: { pathPrefix: '/v2/access/vault/lists' }, body, count: 2 });
		const dropdown = await searchList('searchVaultLists', {
			credentials: credentials(),
			parameters: { connectionId: { __rl: true, mode: 'list', value: 'conn_alice' } },
		}).catch((caught: { description: string }) => caught);
		const syncAll = await runSync({
			credentials: credentials(),
			parameters: { operation: 'syncAllLists', connectionId: byId('conn_alice'), nameFilter: 'beach' },
			onError: 'continueRegularOutput',
		});

		expect((dropdown as { description: string }).description).toContain("list entry 0: 'name' is object, expected string");
		expect(syncAll.output).toHaveLength(1);
		expect(String(syncAll.output[0].json.message)).toContain("'name' is object, expected string");
	});

	it('stops with a clear error when Name Filter is neither text nor a number', async () => {
		const result = await runSync({
			credentials: credentials(),
			items: [{ filter: { nested: true } }],
			parameters: { operation: 'syncAllLists', connectionId: byId('conn_alice'), nameFilter: '={{ $json.filter }}' },
		});

		expect(result.error?.message).toBe("Invalid 'Name Filter' value [item 0]");
		expect(await sandbox.requests()).toEqual([]);
	});
});

describe('any answer at all', () => {
	const status = fc.constantFrom(200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504, 418, 302);
	const headerValue = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('0', '-1', '1e308', 'NaN', '99999999999999', KEY));
	const headers = fc.dictionary(
		fc.constantFrom('retry-after', 'x-ratelimit-remaining', 'x-ratelimit-limit', 'x-ratelimit-reset', 'x-request-id'),
		headerValue,
		{ maxKeys: 4 },
	);
	const body = fc.oneof(
		fc.jsonValue({ maxDepth: 4 }).map((value) => ({ body: value })),
		fc.record({ synced: fc.jsonValue({ maxDepth: 1 }), listId: fc.constantFrom('1001', 1001, null), seen: fc.jsonValue({ maxDepth: 1 }) }).map((value) => ({ body: value })),
		fc.record({ error: fc.oneof(fc.string(), fc.constant(`bad ${KEY}`), fc.jsonValue({ maxDepth: 2 })), type: fc.jsonValue({ maxDepth: 1 }), requestId: fc.jsonValue({ maxDepth: 1 }) }).map((value) => ({ body: value })),
		fc.tuple(fc.constantFrom('<', '<a', '{"', '[', KEY, ' ', 'é'), fc.integer({ min: 0, max: 200_000 })).map(([text, times]) => ({ repeatBody: { text, times: Math.max(1, times) } })),
		fc.string({ maxLength: 300 }).map((rawBody) => ({ rawBody })),
	);

	it('gives one output item per input, never a TypeError, never the key (60 seeded answers)', async () => {
		await fc.assert(
			fc.asyncProperty(status, headers, body, async (answerStatus, answerHeaders, answerBody) => {
				const fault = { status: answerStatus, headers: answerHeaders, ...answerBody } as FaultSpec;
				await sandbox.injectFault(fault);
				const result = await syncOnce({ maxRetries: 1, maxWait: 0.001, timeout: 5 });

				expect(result.run.status).toBe('success');
				expect(result.output).toHaveLength(1);
				expect(result.output[0].pairedItem).toEqual({ item: 0 });
				const json = result.output[0].json;
				if (json.error === undefined) expect(json).toMatchObject({ listId: '1001', connectionId: 'conn_alice' });
				const seen = everything(result.run);
				expect(seen).not.toMatch(/TypeError|Cannot read|is not a function|undefined is not/);
				for (const form of ECHOED_FORMS) expect(seen).not.toContain(form);
				await sandbox.reset();
			}),
			{ seed: 20261202, numRuns: 60 },
		);
	}, 120_000);
});

describe('Sync All Lists against odd pages', () => {
	const aliceLists = (...ids: number[]) => ids.map((id) => ({ id, name: `List ${id}`, type: 'custom' }));
	const listPage = (body: IDataObject, count = 1): FaultSpec => ({ match: { method: 'GET', pathPrefix: '/v2/access/vault/lists' }, body, count });
	const syncAllOf = (connections: string[], onError: OnError = 'stopWorkflow', parameters: INodeParameters = {}) =>
		runSync({
			credentials: credentials(),
			items: connections.map((connection) => ({ connection })),
			parameters: {
				operation: 'syncAllLists',
				connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
				options: { maxRetries: 0 },
				...parameters,
			},
			onError,
		});

	it('syncs and outputs a list once when two pages both hold it', async () => {
		await sandbox.injectFault(listPage({ list: aliceLists(1001, 1002), hasMore: true }));
		await sandbox.injectFault(listPage({ list: aliceLists(1002, 1006), hasMore: false }));
		const result = await syncAllOf(['conn_alice']);

		expect(result.output.map((item) => item.json.listId)).toEqual(['1001', '1002', '1006']);
		expect((await syncRequests()).map((request) => request.path).sort()).toEqual([
			'/v2/vault-plus/lists/1001/sync',
			'/v2/vault-plus/lists/1002/sync',
			'/v2/vault-plus/lists/1006/sync',
		]);
	});

	it('fails the item, syncing nothing, when the pages repeat and never end', async () => {
		await sandbox.injectFault(listPage({ list: aliceLists(1001), hasMore: true }, 400));
		const result = await syncAllOf(['conn_alice'], 'continueRegularOutput');
		await sandbox.reset();

		expect(result.output).toHaveLength(1);
		expect(result.output[0].json.error).toBe('Could not list every vault list of connection conn_alice [item 0]');
		expect(String(result.output[0].json.message)).toContain('Nothing was synced for this item');
		expect(await syncRequests()).toEqual([]);
	});

	it('syncs no list of any connection when one connection cannot be listed and the node is to stop', async () => {
		await sandbox.injectFault({ ...listPage({}), status: 500, body: undefined });
		const result = await syncAllOf(['conn_alice', 'conn_bella']);

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toContain('OFAuth could not complete the request (HTTP 500)');
		expect(await syncRequests()).toEqual([]);
	});
});
