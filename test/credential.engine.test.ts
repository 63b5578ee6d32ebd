import { authenticateRequest, testCredential } from './harness/engine';
import { TEST_API_KEY, useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

describe('the OFAuth API credential', () => {
	it('passes its test with a valid key by calling GET /v2/account/whoami with the apiKey header', async () => {
		expect(await testCredential(sandbox.credentials())).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'GET',
			path: '/v2/account/whoami',
			apiKeyValid: true,
		});
		expect(requests[0].connectionId).toBeUndefined();
	});

	it('fails its test with a helpful message when the key is rejected', async () => {
		const result = await testCredential(sandbox.credentials({ apiKey: 'wrong-key' }));

		expect(result.status).toBe('Error');
		expect(result.message).toContain('OFAuth rejected the API key');
		expect(result.message).toContain('API Keys in the OFAuth dashboard');
	});

	it('tests against a Base URL given with a trailing slash', async () => {
		const result = await testCredential(sandbox.credentials({ baseUrl: `${sandbox.url}//` }));

		expect(result.status).toBe('OK');
		expect((await sandbox.requests())[0].path).toBe('/v2/account/whoami');
	});

	it('tests a loopback Base URL written in any form the node accepts, such as 127.1', async () => {
		const result = await testCredential(sandbox.credentials({ baseUrl: sandbox.url.replace('127.0.0.1', '127.1') }));

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect((await sandbox.requests())[0]).toMatchObject({ path: '/v2/account/whoami', apiKeyValid: true });
	});

	it.each([
		['a user name that hides another host', (url: string) => `https://api.ofauth.com@${url.replace('http://', '')}`],
		['plain http to another host', () => 'http://api.ofauth.com'],
		['a query', (url: string) => `${url}?x=1`],
	])('refuses its test for a Base URL with %s and sends the key nowhere', async (_case, baseUrl) => {
		const result = await testCredential(sandbox.credentials({ baseUrl: baseUrl(sandbox.url) }));

		expect(result.status).toBe('Error');
		expect(result.message).toContain('The API key was not sent');
		expect(await sandbox.requests()).toEqual([]);
	});

	it.each([
		['OFAuth itself', 'https://api.ofauth.com', { url: 'https://api.ofauth.com/v2/account/whoami' }],
		['OFAuth, given as base and path', 'HTTPS://api.ofauth.com/', { baseURL: 'https://api.ofauth.com/', url: '/v2/account/connections' }],
		['OFAuth, with an empty Base URL', '', { url: 'https://api.ofauth.com/v2/access/vault/lists' }],
		['a local server', 'http://127.0.0.1:4010', { uri: 'http://127.0.0.1:4010/v2/account/whoami' }],
		['a local server named localhost', 'http://localhost:4010/', { url: 'http://localhost:4010/v2/x?y=1' }],
		['a path below a proxy prefix', 'https://proxy.example/ofauth', { url: 'https://proxy.example/ofauth/v2/account/whoami' }],
	])('adds the trimmed key, with redirects off, to a request for %s', async (_case, baseUrl, request) => {
		const result = await authenticateRequest({ apiKey: ` ${TEST_API_KEY}\n`, baseUrl }, request);

		expect(result).toMatchObject({
			headers: { apiKey: TEST_API_KEY },
			sent: { disableFollowRedirect: true, followRedirect: false, maxRedirects: 0 },
		});
	});

	it.each([
		['another host', 'https://api.ofauth.com', { url: 'https://evil.example/v2/account/whoami' }],
		['a look-alike host', 'https://api.ofauth.com', { url: 'https://api.ofauth.com.evil.example/v2' }],
		['plain http to the same host', 'https://api.ofauth.com', { url: 'http://api.ofauth.com/v2' }],
		['another port of the same machine', 'http://127.0.0.1:4010', { url: 'http://127.0.0.1:4011/v2' }],
		['another name for the same machine', 'http://127.0.0.1:4010', { url: 'http://localhost:4010/v2' }],
		['a host hidden behind a user name', 'https://api.ofauth.com', { url: 'https://api.ofauth.com@evil.example/' }],
		['a protocol-relative address', 'https://api.ofauth.com', { url: '//evil.example/v2' }],
		['a relative path with no base', 'https://api.ofauth.com', { url: '/v2/account/whoami' }],
		['another base given with the request', 'https://api.ofauth.com', { baseURL: 'https://evil.example', url: '/v2' }],
		['a legacy uri to another host', 'https://api.ofauth.com', { uri: 'https://evil.example/v2' }],
		['a null url beside a good uri, which n8n sends to baseURL', 'https://api.ofauth.com', { url: null, uri: 'https://api.ofauth.com/v2', baseURL: 'https://evil.example' }],
		['a path outside the proxy prefix', 'https://proxy.example/ofauth', { url: 'https://proxy.example/ofauthx/v2' }],
		['a path that climbs out of the prefix', 'https://proxy.example/ofauth', { url: 'https://proxy.example/ofauth/../admin' }],
	])('refuses to add the key to a request for %s, saying where the key may go', async (_case, baseUrl, request) => {
		const result = await authenticateRequest({ apiKey: TEST_API_KEY, baseUrl }, request);

		expect(result).toEqual({ refused: expect.stringContaining(`credential only sends its API key to ${baseUrl}`) });
		expect(JSON.stringify(result)).not.toContain(TEST_API_KEY);
	});

	it.each([
		['plain http to another host', 'http://api.ofauth.com', 'plain http to api.ofauth.com'],
		['another scheme', 'ftp://api.ofauth.com', 'it uses ftp'],
		['a look-alike loopback name', 'http://localhost.example.com', 'plain http'],
		['a user name', 'https://user@api.ofauth.com', 'user name or password'],
		['something that is not a URL', 'not a url', 'is not a URL'],
	])('refuses every request when the Base URL has %s', async (_case, baseUrl, reason) => {
		const result = await authenticateRequest({ apiKey: TEST_API_KEY, baseUrl }, { url: baseUrl });

		expect(result).toEqual({ refused: expect.stringContaining(reason) });
	});

	it.each([['empty', ''], ['blank', ' \n\t'], ['missing', undefined]])(
		'never sends an %s key: it refuses and says so',
		async (_case, apiKey) => {
			const result = await authenticateRequest({ apiKey: apiKey as string, baseUrl: 'https://api.ofauth.com' });

			expect(result).toEqual({ refused: expect.stringContaining('has no API key') });
		},
	);
});
