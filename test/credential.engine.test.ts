import { resolveAuthenticationHeaders, testCredential } from './harness/engine';
import { TEST_API_KEY, useSandbox } from './harness/sandbox-client';

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

	it.each([
		['https://api.ofauth.com', TEST_API_KEY],
		['HTTPS://api.ofauth.com/', TEST_API_KEY],
		['http://127.0.0.1:4010', TEST_API_KEY],
		['http://localhost:4010/', TEST_API_KEY],
		['http://[::1]:4010', TEST_API_KEY],
		['http://api.ofauth.com', ''],
		['http://localhost.example.com', ''],
		['http://127.0.0.1.example.com', ''],
		['ftp://api.ofauth.com', ''],
	])('sends the key in the apiKey header only over a safe transport (%s)', async (baseUrl, expected) => {
		const headers = await resolveAuthenticationHeaders({ apiKey: TEST_API_KEY, baseUrl });

		expect(headers).toEqual({ apiKey: expected });
	});
});
