import { searchList } from './harness/engine';
import { SandboxClient, useSandbox } from '../sandbox/client';
import { defaultSeed } from '../sandbox/seed';

const sandbox = useSandbox();

const connectionParameter = (value: string) => ({ connectionId: { __rl: true, mode: 'list', value } });

describe('the "Connection" dropdown', () => {
	it('lists active connections as "name (@username)" with their ids', async () => {
		const { results } = await searchList('searchConnections', { credentials: sandbox.credentials() });

		expect(results).toContainEqual({ name: 'Alice Sandbox (@alice_sbx)', value: 'conn_alice' });
		expect(results).toContainEqual({ name: 'Dana Sandbox (@dana_sbx)', value: 'conn_dana' });
		expect(results.map((entry) => entry.value)).not.toContain('conn_cora');
		expect(results.map((entry) => entry.value)).not.toContain('conn_erin');
		const [request] = await sandbox.requests();
		expect(request).toMatchObject({ method: 'GET', path: '/v2/account/connections', apiKeyValid: true });
		expect(request.query).toMatchObject({ status: 'active', offset: '0' });
	});

	it('filters by the search text on name, username and id', async () => {
		const byName = await searchList('searchConnections', { credentials: sandbox.credentials(), filter: 'bella' });
		expect(byName.results).toEqual([{ name: 'Bella Sandbox (@bella_sbx)', value: 'conn_bella' }]);

		const byId = await searchList('searchConnections', { credentials: sandbox.credentials(), filter: 'CONN_DANA' });
		expect(byId.results.map((entry) => entry.value)).toEqual(['conn_dana']);
	});

	it('pages through more active connections than fit in one page of 100', async () => {
		const seed = defaultSeed();
		seed.generatedConnections = { ...seed.generatedConnections!, count: 150, statuses: ['active'] };
		const crowded = await new SandboxClient().start({ seed });
		try {
			const first = await searchList('searchConnections', { credentials: crowded.credentials() });
			expect(first.results).toHaveLength(100);
			expect(first.paginationToken).toBe('100');

			const second = await searchList('searchConnections', {
				credentials: crowded.credentials(),
				paginationToken: first.paginationToken,
			});
			expect(second.paginationToken).toBeUndefined();
			const ids = [...first.results, ...second.results].map((entry) => entry.value);
			expect(new Set(ids).size).toBe(ids.length);
			expect(ids).toHaveLength(153);
			expect((await crowded.requests()).map((request) => request.query.offset)).toEqual(['0', '100']);
		} finally {
			await crowded.close();
		}
	});
});

describe('the "Vault List" dropdown', () => {
	it('lists the vault lists of the chosen connection with string ids, sending its x-connection-id', async () => {
		const { results } = await searchList('searchVaultLists', {
			credentials: sandbox.credentials(),
			parameters: connectionParameter('conn_alice'),
		});

		expect(results).toContainEqual({ name: 'Beach Set', value: '1001' });
		expect(results).toContainEqual({ name: 'Best Of 2026', value: '1002' });
		expect(results.every((entry) => typeof entry.value === 'string')).toBe(true);
		const [request] = await sandbox.requests();
		expect(request).toMatchObject({ path: '/v2/access/vault/lists', connectionId: 'conn_alice' });
		expect(request.query).toMatchObject({ limit: '40', offset: '0' });
	});

	it('searches on the server with the query parameter', async () => {
		const { results } = await searchList('searchVaultLists', {
			credentials: sandbox.credentials(),
			parameters: connectionParameter('conn_bella'),
			filter: 'gym',
		});

		expect(results).toHaveLength(2);
		expect(results).toEqual(
			expect.arrayContaining([
				{ name: 'Gym Photos', value: '2001' },
				{ name: 'Gym Videos', value: '2002' },
			]),
		);
		expect((await sandbox.requests())[0].query.query).toBe('gym');
	});

	it('pages through more lists than fit in one page of 40', async () => {
		const credentials = sandbox.credentials();
		const parameters = connectionParameter('conn_bella');
		const first = await searchList('searchVaultLists', { credentials, parameters });
		expect(first.results).toHaveLength(40);
		expect(first.paginationToken).toBe('40');

		const second = await searchList('searchVaultLists', {
			credentials,
			parameters,
			paginationToken: first.paginationToken,
		});
		expect(second.paginationToken).toBeUndefined();
		const ids = [...first.results, ...second.results].map((entry) => entry.value);
		expect(ids).toHaveLength(45);
		expect(new Set(ids).size).toBe(45);
		expect((await sandbox.requests())[1].query.offset).toBe('40');
	});

	it('asks for a connection first when none is chosen, without calling OFAuth', async () => {
		await expect(
			searchList('searchVaultLists', { credentials: sandbox.credentials(), parameters: connectionParameter('') }),
		).rejects.toThrow('Choose a connection first');
		expect(await sandbox.requests()).toHaveLength(0);
	});

	it('explains an expired connection in the dropdown as it does in a run', async () => {
		await expect(
			searchList('searchVaultLists', {
				credentials: sandbox.credentials(),
				parameters: connectionParameter('conn_cora'),
			}),
		).rejects.toThrow('The OnlyFans session of connection conn_cora has expired');
	});
});
