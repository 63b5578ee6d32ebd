import type { INodeParameters } from 'n8n-workflow';

import { byId, runSync, type OnError } from './harness/engine';
import { useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

async function failingSync(
	connectionId: string,
	listId: string,
	overrides: { apiKey?: string; baseUrl?: string; onError?: OnError; options?: INodeParameters } = {},
) {
	const result = await runSync({
		credentials: sandbox.credentials({
			...(overrides.apiKey !== undefined ? { apiKey: overrides.apiKey } : {}),
			...(overrides.baseUrl !== undefined ? { baseUrl: overrides.baseUrl } : {}),
		}),
		parameters: {
			connectionId: byId(connectionId),
			listId: byId(listId),
			// Mapping is tested here on the first answer; retries have their own tests.
			options: { maxRetries: 0, ...overrides.options },
		},
		onError: overrides.onError,
	});
	expect(result.run.status).toBe('error');
	expect(result.output).toHaveLength(0);
	return result.error as Record<string, unknown> & { context?: { itemIndex?: number } };
}

describe('OFAuth errors as the user sees them', () => {
	it('says the API key was rejected on 401 UNAUTHORIZED, with the request ID', async () => {
		const error = await failingSync('conn_alice', '1001', { apiKey: 'wrong-key' });

		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('OFAuth rejected the API key [item 0]');
		expect(error.description).toContain("'OFAuth API' credential");
		expect(error.description).toMatch(/Request ID: req_\w+/);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('tells the user to reconnect through OFAuth Link when the OnlyFans session expired, not to change the key', async () => {
		const error = await failingSync('conn_cora', '3001');

		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('The OnlyFans session of connection conn_cora has expired [item 0]');
		expect(error.description).toContain('Reconnect this OnlyFans account through OFAuth Link');
		expect(error.description).toContain('The API key is fine');
		expect(error.description).toContain('SESSION_EXPIRED');
	});

	it('names the connection when OFAuth has no session for it', async () => {
		const error = await failingSync('conn_nobody', '1001');

		expect(error.message).toBe('OFAuth has no OnlyFans session for connection conn_nobody [item 0]');
		expect(error.description).toContain('The API key is fine');
	});

	it('explains a 403 as Vault+ not enabled or a missing permission', async () => {
		const error = await failingSync('conn_dana', '4001');

		expect(error.httpCode).toBe('403');
		expect(error.message).toBe('OFAuth refused access to Vault+ for connection conn_dana [item 0]');
		expect(error.description).toContain('Enable Vault+ for this connection');
		expect(error.description).toContain('vault:read');
	});

	it('names both the list and the connection on 404', async () => {
		const error = await failingSync('conn_alice', '999999');

		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Vault list 999999 or connection conn_alice was not found [item 0]');
		expect(error.description).toMatch(/Request ID: req_\w+/);
	});

	it('says plainly that the rate limit was reached on 429, with Retry-After and the request ID', async () => {
		await sandbox.injectFault({
			status: 429,
			body: { error: 'Too many requests', type: 'RATE_LIMIT_EXCEEDED', requestId: 'req_rate_1' },
			headers: { 'retry-after': '30' },
		});
		const error = await failingSync('conn_alice', '1001');

		expect(error.httpCode).toBe('429');
		expect(error.message).toBe("OFAuth's rate limit for connection conn_alice was reached [item 0]");
		expect(error.description).toContain('Retry-After: 30.');
		expect(error.description).toContain('Request ID: req_rate_1.');
	});

	it.each([500, 502, 503, 504])('says plainly that OFAuth could not complete the request on %i', async (status) => {
		await sandbox.injectFault({ status });
		const error = await failingSync('conn_alice', '1001');

		expect(error.httpCode).toBe(String(status));
		expect(error.message).toBe(`OFAuth could not complete the request (HTTP ${status}) [item 0]`);
		expect(error.description).toContain("side of OFAuth or OnlyFans");
	});

	it('reads the older {message, code, details} error body as well', async () => {
		await sandbox.injectFault({
			status: 401,
			body: { message: 'The API key has expired', code: 'AUTH_KEY_EXPIRED', details: { requestId: 'x' } },
		});
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toBe('OFAuth rejected the API key [item 0]');
		expect(error.description).toContain('OFAuth said: AUTH_KEY_EXPIRED: The API key has expired.');
	});

	it('refuses a success answer that is not JSON, showing what came back', async () => {
		await sandbox.injectFault({ malformed: true });
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toBe('OFAuth returned an unexpected sync result for vault list 1001 [item 0]');
		expect(error.description).toContain('the body is not JSON');
		expect(error.description).toContain('Received: {"synced": tru');
	});

	it('refuses a 200 body that lacks fields or has them with wrong types, naming each', async () => {
		await sandbox.injectFault({
			status: 200,
			body: { synced: true, listId: '1001', seen: '4', addedItems: -1, updatedItems: 0, unchangedItems: 1.5 },
		});
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toBe('OFAuth returned an unexpected sync result for vault list 1001 [item 0]');
		expect(error.description).toContain("'seen' is string, expected number");
		expect(error.description).toContain("'addedItems' is -1, expected a whole number of at least 0");
		expect(error.description).toContain("'removedItems' is missing");
		expect(error.description).toContain("'unchangedItems' is 1.5");
		expect(error.description).toContain("'adoptedItems' is missing");
	});

	it('refuses a 200 that carries an error body instead of a result', async () => {
		await sandbox.injectFault({
			status: 200,
			body: { error: 'Internal', type: 'UNKNOWN', requestId: 'req_odd' },
		});
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toContain('unexpected sync result');
		expect(error.description).toContain("'synced' is missing");
	});

	it('stops on synced: false by default, with the counts in the description', async () => {
		await sandbox.injectFault({
			status: 200,
			body: {
				synced: false,
				listId: '1001',
				seen: 0,
				addedItems: 0,
				updatedItems: 0,
				removedItems: 0,
				unchangedItems: 0,
				adoptedItems: 0,
			},
		});
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toBe('OFAuth did not complete the sync of vault list 1001 [item 0]');
		expect(error.description).toContain("'Output Unsynced Results'");
	});

	it('outputs a synced: false result when "Output Unsynced Results" is on', async () => {
		const unsynced = {
			synced: false,
			listId: '1001',
			seen: 3,
			addedItems: 0,
			updatedItems: 0,
			removedItems: 0,
			unchangedItems: 0,
			adoptedItems: 0,
		};
		await sandbox.injectFault({ status: 200, body: unsynced });
		const { output, run } = await runSync({
			credentials: sandbox.credentials(),
			parameters: {
				connectionId: byId('conn_alice'),
				listId: byId('1001'),
				options: { outputUnsyncedResults: true, maxRetries: 0 },
			},
		});

		expect(run.status).toBe('success');
		expect(output.map((item) => item.json)).toEqual([{ ...unsynced, connectionId: 'conn_alice' }]);
	});

	it('says OFAuth could not be reached when nothing listens at the Base URL', async () => {
		const error = await failingSync('conn_alice', '1001', { baseUrl: 'http://127.0.0.1:1' });

		expect(error.message).toBe('Could not reach OFAuth at 127.0.0.1:1: the connection was refused [item 0]');
		expect(error.description).toContain('Base URL');
	});

	it('says OFAuth could not be reached when the connection drops mid-request', async () => {
		await sandbox.injectFault({ drop: true });
		const error = await failingSync('conn_alice', '1001');

		expect(error.message).toMatch(/^Could not reach OFAuth at 127\.0\.0\.1:\d+: /);
	});
});

describe('input the node refuses before any request', () => {
	it.each([
		['a connection with a space', 'conn alice', '1001', 'A connection ID has no spaces'],
		['a list that is not digits', 'conn_alice', '../1001', 'A vault list ID is digits only'],
		['an empty list', 'conn_alice', '', 'Parameter "Vault List" is required'],
	])('lets n8n refuse a typed-in ID with %s before the workflow starts', async (_case, connectionId, listId, issue) => {
		await expect(
			runSync({
				credentials: sandbox.credentials(),
				parameters: { connectionId: byId(connectionId), listId: byId(listId) },
			}),
		).rejects.toThrow(issue);
		expect(await sandbox.requests()).toHaveLength(0);
	});

	it.each([
		['a connection with a space', 'conn alice', 1001, "'Connection'", 'no spaces'],
		['an empty connection', '', 1001, "'Connection'", 'empty'],
		['a connection that is null', null, 1001, "'Connection'", 'null'],
		['a list that is not digits', 'conn_alice', '../1001', "'Vault List'", 'digits only'],
		['a list with an encoded slash', 'conn_alice', '1%2F2', "'Vault List'", 'digits only'],
		['a list with a query', 'conn_alice', '1001?x=1', "'Vault List'", 'digits only'],
		['a negative list number', 'conn_alice', -5, "'Vault List'", 'not a number'],
		['an empty list', 'conn_alice', '', "'Vault List'", 'empty'],
	])(
		'refuses %s from an expression, naming the field and the item, and sends nothing for it',
		async (_case, connection, list, field, reason) => {
			const result = await runSync({
				credentials: sandbox.credentials(),
				items: [{ connection: 'conn_alice', list: 1001 }, { connection, list }],
				parameters: {
					connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
					listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
				},
			});

			expect(result.run.status).toBe('error');
			expect(result.error?.name).toBe('NodeOperationError');
			expect(result.error?.message).toBe(`Invalid ${field} value [item 1]`);
			expect(result.error?.description).toContain(reason);
			expect((await sandbox.requests()).map((request) => request.path)).toEqual(['/v2/vault-plus/lists/1001/sync']);
		},
	);

	it('names the item whose expression produced a bad value', async () => {
		const result = await runSync({
			credentials: sandbox.credentials(),
			items: [{ list: 1001 }, { list: { nested: true } }],
			parameters: {
				connectionId: byId('conn_alice'),
				listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
			},
		});

		expect(result.run.status).toBe('error');
		expect(result.error?.message).toBe("Invalid 'Vault List' value [item 1]");
		expect(result.error?.description).toContain('an object');
	});

	it.each([
		['plain http to another host', 'http://api.ofauth.com', 'clear text'],
		['another scheme', 'ftp://api.ofauth.com', 'uses ftp'],
		['a user name in the URL', 'https://user:pw@api.ofauth.com', 'user name or password'],
		['a query in the URL', 'https://api.ofauth.com/?a=1', 'query'],
		['something that is not a URL', 'api.ofauth.com', 'not a URL'],
	])('refuses a Base URL with %s and sends nothing', async (_case, baseUrl, reason) => {
		const error = await failingSync('conn_alice', '1001', { baseUrl });

		expect(error.message).toContain("The 'Base URL' of the 'OFAuth API' credential is not allowed");
		expect(error.message).toContain(reason);
		expect(await sandbox.requests()).toHaveLength(0);
	});

	it('accepts a loopback Base URL with a trailing slash', async () => {
		const result = await runSync({
			credentials: sandbox.credentials({ baseUrl: `${sandbox.url}/` }),
			parameters: { connectionId: byId('conn_alice'), listId: byId('1001') },
		});

		expect(result.run.status).toBe('success');
		expect((await sandbox.requests())[0].path).toBe('/v2/vault-plus/lists/1001/sync');
	});
});
