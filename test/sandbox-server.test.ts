import axios, { type AxiosResponse } from 'axios';
import { get } from 'node:http';
import { useSandboxHttp } from './harness/sandbox-http';
import { startSandbox, type LoggedRequest, type StateSnapshot } from '../sandbox/server';
import type { ConnectionView, VaultListsResponse } from '../sandbox/queries';

interface ConnectionsPage {
	list: ConnectionView[];
	hasMore: boolean;
}

const KEY = 'test-key';

const http = useSandboxHttp();

const sync = (connectionId: string, listId: string | number) =>
	http.api.put(`/v2/vault-plus/lists/${listId}/sync`, undefined, {
		headers: { 'x-connection-id': connectionId },
	});

function expectError(response: AxiosResponse, status: number, type: string): void {
	expect(response.status).toBe(status);
	expect(response.data).toMatchObject({ type, requestId: expect.stringMatching(/^req_\d+$/) });
	expect(typeof response.data.error).toBe('string');
	expect(response.headers['x-request-id']).toBe(response.data.requestId);
}

describe('authentication', () => {
	it('answers whoami for a valid key', async () => {
		const response = await http.api.get('/v2/account/whoami');
		expect(response.status).toBe(200);
		expect(response.data).toEqual({
			id: 'org_sandbox',
			name: 'Sandbox Studio',
			permissions: ['account', 'access', 'vault-plus'],
		});
		expect(response.headers['x-request-id']).toMatch(/^req_\d+$/);
	});

	it('reads the apiKey header whatever its case', async () => {
		// axios rewrites header names to the case it first saw, so send this one by hand.
		const status = await new Promise<number | undefined>((resolve, reject) => {
			const options = { headers: { APIKEY: KEY } };
			const request = get(`${http.sandbox.url}/v2/account/whoami`, options, (res) => {
				res.resume();
				resolve(res.statusCode);
			});
			request.on('error', reject);
		});
		expect(status).toBe(200);
		expect(http.sandbox.requests()[0]).toMatchObject({ apiKeyPresent: true, apiKeyValid: true });
	});

	it('answers 401 UNAUTHORIZED with the documented body for a wrong key', async () => {
		const response = await http.api.get('/v2/account/whoami', { headers: { apiKey: 'wrong' } });
		expectError(response, 401, 'UNAUTHORIZED');
		expect(Object.keys(response.data).sort()).toEqual(['error', 'requestId', 'type']);
		expect(response.data.error).toBe('Invalid API key');
	});

	it('answers 401 UNAUTHORIZED when the key is missing', async () => {
		const response = await http.api.get('/v2/account/connections', { headers: { apiKey: null } });
		expectError(response, 401, 'UNAUTHORIZED');
	});

	it('accepts the keys given to startSandbox instead of the seed keys', async () => {
		const other = await startSandbox({ apiKeys: ['other-k'] });
		try {
			const get = (key: string) =>
				axios.get(`${other.url}/v2/account/whoami`, {
					headers: { apiKey: key },
					validateStatus: () => true,
				});
			expect((await get('other-k')).status).toBe(200);
			expect((await get(KEY)).status).toBe(401);
		} finally {
			await other.close();
		}
	});
});

describe('connection-scoped errors', () => {
	it('answers 400 BAD_REQUEST without x-connection-id', async () => {
		expectError(await http.api.put('/v2/vault-plus/lists/1001/sync'), 400, 'BAD_REQUEST');
		expectError(await http.api.get('/v2/access/vault/lists'), 400, 'BAD_REQUEST');
	});

	it('answers 401 SESSION_NOT_PROVIDED for an unknown connection', async () => {
		const response = await sync('conn_nobody', 1001);
		expectError(response, 401, 'SESSION_NOT_PROVIDED');
		expect(response.data.error).toBe('Connection not found or missing session data');
	});

	it('answers 401 SESSION_EXPIRED with actionRequired for an expired session', async () => {
		const response = await sync('conn_cora', 3001);
		expectError(response, 401, 'SESSION_EXPIRED');
		expect(response.data.actionRequired).toBe('reauthenticate');
	});

	it('answers 403 FORBIDDEN when Vault+ is not enabled, yet still lists the vault', async () => {
		const response = await sync('conn_dana', 4001);
		expectError(response, 403, 'FORBIDDEN');
		expect(response.data.error).toMatch(/Vault\+ is not enabled/);
		const lists = await http.api.get('/v2/access/vault/lists', {
			headers: { 'x-connection-id': 'conn_dana' },
		});
		expect(lists.status).toBe(200);
	});

	it('answers 404 RESOURCE_NOT_FOUND for a list the connection does not have', async () => {
		expectError(await sync('conn_alice', 999999), 404, 'RESOURCE_NOT_FOUND');
	});

	it('answers 400 BAD_REQUEST for a literal :listId', async () => {
		expectError(await sync('conn_alice', ':listId'), 400, 'BAD_REQUEST');
	});

	it('answers 404 ROUTE_NOT_FOUND for an unknown path or a wrong method', async () => {
		expectError(await http.api.get('/v2/vault-plus/lists'), 404, 'ROUTE_NOT_FOUND');
		expectError(await http.api.get('/v2/vault-plus/lists/1001/sync'), 404, 'ROUTE_NOT_FOUND');
		expectError(await http.api.post('/v2/account/whoami'), 404, 'ROUTE_NOT_FOUND');
	});
});

describe('pagination', () => {
	it('pages connections 10 at a time by default until hasMore is false', async () => {
		const ids: string[] = [];
		let offset = 0;
		let hasMore = true;
		while (hasMore) {
			const { data } = await http.api.get<ConnectionsPage>('/v2/account/connections', {
				params: { offset },
			});
			expect(data.list.length).toBeLessThanOrEqual(10);
			ids.push(...data.list.map((c) => c.id));
			offset += data.list.length;
			hasMore = data.hasMore;
		}
		expect(ids).toHaveLength(25);
		expect(new Set(ids).size).toBe(25);
	});

	it('filters connections by status', async () => {
		const params = { status: 'active', limit: 100 };
		const { data } = await http.api.get<ConnectionsPage>('/v2/account/connections', { params });
		expect(data.list).toHaveLength(17);
		expect(data.hasMore).toBe(false);
		expect(data.list.every((c) => c.status === 'active')).toBe(true);
		expect(data.list.map((c) => c.id)).not.toContain('conn_cora');
	});

	it('rejects a connections limit above 100', async () => {
		expectError(await http.api.get('/v2/account/connections?limit=101'), 400, 'BAD_REQUEST');
	});

	it('pages vault lists 24 at a time and searches them', async () => {
		const headers = { 'x-connection-id': 'conn_bella' };
		const lists = (params?: object) =>
			http.api.get<VaultListsResponse>('/v2/access/vault/lists', { headers, params });
		const first = await lists();
		expect(first.data.list).toHaveLength(24);
		expect(first.data.hasMore).toBe(true);
		const second = await lists({ offset: 24 });
		expect(second.data.list).toHaveLength(21);
		expect(second.data.hasMore).toBe(false);
		const found = await lists({ query: 'gym', limit: 40 });
		expect(found.data.list.map((l) => l.id)).toEqual([2002, 2001]);
		expectError(await http.api.get('/v2/access/vault/lists?limit=41', { headers }), 400, 'BAD_REQUEST');
	});
});

describe('sync over HTTP', () => {
	it('follows list edits made through the admin API', async () => {
		expect((await sync('conn_alice', 1001)).data).toMatchObject({ seen: 4, addedItems: 4 });
		const edit = await http.admin.patch('/connections/conn_alice/lists/1001/media', {
			remove: ['5002'],
			update: [{ id: '5003', fingerprint: 'fp-5003-b' }],
			add: [{ id: '5010', fingerprint: 'fp-5010-a' }],
		});
		expect(edit.status).toBe(200);
		expect((await sync('conn_alice', '1001')).data).toEqual({
			synced: true,
			listId: '1001',
			seen: 4,
			addedItems: 1,
			updatedItems: 1,
			removedItems: 1,
			unchangedItems: 2,
			adoptedItems: 0,
		});
	});

	it('replaces a list, creating it when given a name and type', async () => {
		const media = [{ id: '5001', fingerprint: 'fp-5001-a' }];
		const missing = await http.admin.put('/connections/conn_alice/lists/1777/media', { media });
		expect(missing.status).toBe(404);
		const created = await http.admin.put('/connections/conn_alice/lists/1777/media', {
			media,
			name: 'Fresh',
			type: 'custom',
		});
		expect(created.data).toEqual({ id: 1777, type: 'custom', name: 'Fresh', media });
		expect((await sync('conn_alice', 1777)).data).toMatchObject({ seen: 1, addedItems: 1 });
	});

	it('shows cache owners and baselines in the state snapshot', async () => {
		await sync('conn_alice', 1001);
		await sync('conn_alice', 1002);
		const { data } = await http.admin.get<StateSnapshot>('/state');
		const alice = data.connections.find((c) => c.id === 'conn_alice');
		expect(alice?.cache.find((e) => e.mediaId === '5003')).toEqual({
			mediaId: '5003',
			fingerprint: 'fp-5003-a',
			owners: [1001, 1002],
		});
		expect(Object.keys(alice?.baselines ?? {})).toEqual(['1001', '1002']);
	});

	it('lets an expired session and Vault+ be switched back on', async () => {
		const restored = await http.admin.post('/connections/conn_cora/session', { status: 'active' });
		expect(restored.data).toMatchObject({
			id: 'conn_cora',
			status: 'active',
			expiredAt: null,
		});
		expect((await sync('conn_cora', 3001)).status).toBe(200);
		await http.admin.post('/connections/conn_dana/vault-plus', { enabled: true });
		expect((await sync('conn_dana', 4001)).status).toBe(200);
		await http.admin.post('/connections/conn_alice/session', { status: 'expired' });
		expectError(await sync('conn_alice', 1001), 401, 'SESSION_EXPIRED');
	});

	it('goes back to the seed on reset', async () => {
		await sync('conn_alice', 1001);
		await http.admin.put('/connections/conn_alice/lists/1001/media', { media: [] });
		const { data } = await http.admin.post<StateSnapshot>('/reset');
		const alice = data.connections.find((c) => c.id === 'conn_alice');
		expect(alice?.cache).toEqual([]);
		expect(alice?.lists[0].media).toHaveLength(4);
		expect(http.sandbox.state.connections[0].cache.size).toBe(0);
	});

	it('offers the same admin operations in process', async () => {
		http.sandbox.admin.setListMedia('conn_bella', 2001, { media: [{ id: '6001', fingerprint: 'x' }] });
		expect((await sync('conn_bella', 2001)).data).toMatchObject({ seen: 1, addedItems: 1 });
	});

	it('rejects admin input that does not describe a list', async () => {
		const bad = await http.admin.put('/connections/conn_alice/lists/1001/media', {
			media: [{ id: 'abc' }],
		});
		expectError(bad, 400, 'BAD_REQUEST');
		expect(bad.data.error).toMatch(/media\[0\]\.id/);
		const nobody = await http.admin.post('/connections/conn_nobody/vault-plus', { enabled: true });
		expectError(nobody, 404, 'RESOURCE_NOT_FOUND');
		expectError(await http.admin.post('/faults', { drop: true, status: 500 }), 400, 'BAD_REQUEST');
	});
});

describe('fault injection', () => {
	it('answers the next matching request with the given status, body and headers', async () => {
		const fault = await http.admin.post('/faults', {
			match: { method: 'PUT', pathPrefix: '/v2/vault-plus/' },
			status: 429,
			body: { error: 'Slow down', type: 'RATE_LIMIT_EXCEEDED' },
			headers: { 'retry-after': '2' },
		});
		expect(fault.status).toBe(201);
		expect((await http.api.get('/v2/account/whoami')).status).toBe(200);
		const limited = await sync('conn_alice', 1001);
		expect(limited.status).toBe(429);
		expect(limited.data).toEqual({ error: 'Slow down', type: 'RATE_LIMIT_EXCEEDED' });
		expect(limited.headers['retry-after']).toBe('2');
		expect(http.sandbox.state.connections[0].cache.size).toBe(0);
		expect((await sync('conn_alice', 1001)).data.addedItems).toBe(4);
	});

	it('sends the documented error body for a bare status, count times', async () => {
		await http.admin.post('/faults', { status: 503, count: 2 });
		for (let i = 0; i < 2; i++) {
			expectError(await http.api.get('/v2/account/whoami'), 503, 'NETWORK_ERROR');
		}
		expect((await http.api.get('/v2/account/whoami')).status).toBe(200);
	});

	it('delays a request and then runs it normally', async () => {
		await http.admin.post('/faults', { delayMs: 300 });
		const started = Date.now();
		const response = await sync('conn_alice', 1001);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(response.data).toMatchObject({ addedItems: 4 });
		const [logged] = http.sandbox.requests();
		expect(logged).toMatchObject({ fault: 'delay', status: 200 });
		expect((logged.endedAt ?? 0) - logged.startedAt).toBeGreaterThanOrEqual(290);
	});

	it('sends invalid JSON with a 200 when malformed', async () => {
		await http.admin.post('/faults', { malformed: true });
		const response = await http.api.put<string>('/v2/vault-plus/lists/1001/sync', undefined, {
			headers: { 'x-connection-id': 'conn_alice' },
			responseType: 'text',
		});
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toMatch(/application\/json/);
		expect(() => JSON.parse(response.data)).toThrow(SyntaxError);
	});

	it('still runs a delayed sync whose client gave up waiting', async () => {
		await http.admin.post('/faults', { delayMs: 200 });
		await expect(
			http.api.put('/v2/vault-plus/lists/1001/sync', undefined, {
				headers: { 'x-connection-id': 'conn_alice' },
				timeout: 50,
			}),
		).rejects.toMatchObject({ code: 'ECONNABORTED' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(http.sandbox.state.connections[0].cache.size).toBe(4);
		expect((await sync('conn_alice', 1001)).data).toMatchObject({ unchangedItems: 4 });
	});

	it('drops the connection without an answer', async () => {
		await http.admin.post('/faults', { drop: true });
		await expect(http.api.get('/v2/account/whoami')).rejects.toMatchObject({ code: 'ECONNRESET' });
		expect(http.sandbox.requests()[0]).toMatchObject({ fault: 'drop', status: null });
		expect((await http.api.get('/v2/account/whoami')).status).toBe(200);
	});

	it('never faults admin requests, and forgets faults when cleared', async () => {
		await http.admin.post('/faults', { status: 500, count: 5 });
		expect((await http.admin.get('/faults')).data).toHaveLength(1);
		expect((await http.admin.get('/state')).status).toBe(200);
		expect((await http.admin.delete('/faults')).data).toEqual({ cleared: 1 });
		expect((await http.api.get('/v2/account/whoami')).status).toBe(200);
	});
});

describe('request log', () => {
	it('records what each API request carried, but not admin requests', async () => {
		await http.api.put('/v2/vault-plus/lists/%31001/sync', undefined, {
			headers: { 'x-connection-id': 'conn_alice' },
		});
		await http.api.get('/v2/account/connections', {
			params: { status: 'active', limit: 5 },
			headers: { apiKey: 'x' },
		});
		await http.admin.get('/state');
		const { data } = await http.admin.get<LoggedRequest[]>('/requests');
		expect(data).toHaveLength(2);
		expect(data[0]).toMatchObject({
			method: 'PUT',
			path: '/v2/vault-plus/lists/%31001/sync',
			query: {},
			connectionId: 'conn_alice',
			apiKeyPresent: true,
			apiKeyValid: true,
			bodyLength: 0,
			status: 200,
		});
		expect(data[1]).toMatchObject({
			method: 'GET',
			path: '/v2/account/connections',
			query: { status: 'active', limit: '5' },
			apiKeyValid: false,
			status: 401,
		});
		expect(data[1].connectionId).toBeUndefined();
		expect(data[1].seq).toBeGreaterThan(data[0].seq);
	});

	it('never stores an API key, valid or not', async () => {
		const secret = await startSandbox({ apiKeys: ['k-valid-77'] });
		try {
			const call = (key: string) =>
				axios.get(`${secret.url}/v2/access/vault/lists`, {
					headers: { apiKey: key, 'x-connection-id': 'conn_alice' },
					validateStatus: () => true,
				});
			expect((await call('k-valid-77')).status).toBe(200);
			expect((await call('k-wrong-88')).status).toBe(401);
			const dump = [
				JSON.stringify((await axios.get(`${secret.url}/__sandbox/requests`)).data),
				JSON.stringify((await axios.get(`${secret.url}/__sandbox/state`)).data),
				JSON.stringify(secret.requests()),
			].join('\n');
			expect(dump).toContain('conn_alice');
			expect(dump).not.toContain('k-valid-77');
			expect(dump).not.toContain('k-wrong-88');
		} finally {
			await secret.close();
		}
	});

	it('empties on DELETE', async () => {
		await http.api.get('/v2/account/whoami');
		expect((await http.admin.delete('/requests')).data).toEqual({ cleared: 1 });
		expect(http.sandbox.requests()).toEqual([]);
	});
});
