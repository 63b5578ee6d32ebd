import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

import { retryPolicy } from '../nodes/VaultPlusSync/actions/syncList';
import { optionValue } from '../nodes/VaultPlusSync/descriptions/optionLimits';
import { loadPackage, PACKAGE_ROOT } from './harness/package';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson = require(`${PACKAGE_ROOT}/package.json`);

function property(properties: INodeProperties[], name: string): INodeProperties {
	const found = properties.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`no property ${name}`);
	return found;
}

function idModeRegex(locator: INodeProperties): RegExp {
	const mode = locator.modes?.find((candidate) => candidate.name === 'id') as INodePropertyMode;
	const rule = mode.validation?.[0] as unknown as { properties: { regex: string } };
	return new RegExp(rule.properties.regex);
}

describe('package.json as n8n and npm read it', () => {
	it('declares the community package with the built node and credential and no runtime dependencies', () => {
		expect(packageJson).toMatchObject({
			name: 'n8n-nodes-ofauth-vault-plus',
			license: 'MIT',
			files: ['dist'],
			peerDependencies: { 'n8n-workflow': '*' },
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/OfAuthApi.credentials.js'],
				nodes: ['dist/nodes/VaultPlusSync/VaultPlusSync.node.js'],
			},
		});
		expect(packageJson.keywords).toContain('n8n-community-node-package');
		expect(packageJson.dependencies ?? {}).toEqual({});
		for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
			expect(packageJson.scripts[script]).toBeUndefined();
		}
	});
});

describe('the npm package', () => {
	it('packs only dist/, the README, the licence and package.json', () => {
		const packed = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
				cwd: PACKAGE_ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}),
		) as Array<{ files: Array<{ path: string }> }>;
		const paths = packed[0].files.map((file) => file.path);

		expect(paths.filter((path) => !path.startsWith('dist/')).sort()).toEqual([
			'LICENSE',
			'README.md',
			'package.json',
		]);
		expect(paths).toEqual(
			expect.arrayContaining([
				'dist/nodes/VaultPlusSync/VaultPlusSync.node.js',
				'dist/nodes/VaultPlusSync/VaultPlusSync.node.json',
				'dist/credentials/OfAuthApi.credentials.js',
			]),
		);
	});
});

describe('the Vault+ Sync node description', () => {
	it('is loaded by n8n under its public names with its codex and icons', async () => {
		const { loader, node } = await loadPackage();

		expect(loader.packageName).toBe('n8n-nodes-ofauth-vault-plus');
		expect(node.description).toMatchObject({
			name: 'vaultPlusSync',
			displayName: 'Vault+ Sync',
			usableAsTool: true,
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'ofAuthApi', required: true }],
		});
		expect(node.description.codex).toMatchObject({
			categories: ['Data & Storage'],
			alias: expect.arrayContaining(['OFAuth', 'OnlyFans', 'vault', 'media cache']),
		});
		// The loader turns file: icons into URLs that n8n serves from dist/, where the build copies them.
		for (const file of ['nodes/VaultPlusSync/vaultPlusSync.svg', 'nodes/VaultPlusSync/vaultPlusSync.dark.svg']) {
			expect(existsSync(`${PACKAGE_ROOT}/dist/${file}`)).toBe(true);
		}
		expect(node.description.iconUrl).toEqual({
			light: 'icons/n8n-nodes-ofauth-vault-plus/dist/nodes/VaultPlusSync/vaultPlusSync.svg',
			dark: 'icons/n8n-nodes-ofauth-vault-plus/dist/nodes/VaultPlusSync/vaultPlusSync.dark.svg',
		});
	});

	it('offers Connection and Vault List as resource locators, "From List" first, then "By ID"', async () => {
		const { node } = await loadPackage();
		for (const [name, method] of [
			['connectionId', 'searchConnections'],
			['listId', 'searchVaultLists'],
		]) {
			const locator = property(node.description.properties, name);
			expect(locator.type).toBe('resourceLocator');
			expect(locator.required).toBe(true);
			expect(locator.modes?.map((mode) => [mode.name, mode.displayName])).toEqual([
				['list', 'From List'],
				['id', 'By ID'],
			]);
			expect(locator.modes?.[0].typeOptions).toEqual({ searchListMethod: method, searchable: true });
			expect(node.methods?.listSearch?.[method]).toBeInstanceOf(Function);
		}
	});

	it('checks typed-in IDs: connections without whitespace, lists of digits only', async () => {
		const { node } = await loadPackage();
		const connection = idModeRegex(property(node.description.properties, 'connectionId'));
		const list = idModeRegex(property(node.description.properties, 'listId'));

		expect(connection.test('conn_v5bsqkzsjfk8cgr7hqbbw09t')).toBe(true);
		for (const bad of ['', 'conn 1', ' conn_1', 'conn_1\n', 'conn_é']) expect(connection.test(bad)).toBe(false);
		expect(list.test('28489180')).toBe(true);
		for (const bad of ['', '12a', '-1', '1.5', '../1', '1%2F2']) expect(list.test(bad)).toBe(false);
	});

	it('offers "Sync List" (the default) and "Sync All Lists", with the list picker only for the first', async () => {
		const { node } = await loadPackage();
		const operation = property(node.description.properties, 'operation');

		expect(operation.default).toBe('syncList');
		expect(operation.noDataExpression).toBe(true);
		expect(operation.options?.map((option) => (option as { value: string }).value)).toEqual(['syncAllLists', 'syncList']);
		expect(property(node.description.properties, 'listId').displayOptions).toEqual({ show: { operation: ['syncList'] } });
		expect(property(node.description.properties, 'listTypes')).toMatchObject({ default: ['custom'], displayOptions: { show: { operation: ['syncAllLists'] } } });
		expect(property(node.description.properties, 'nameFilter').displayOptions).toEqual({ show: { operation: ['syncAllLists'] } });
	});

	it('has an option to output synced: false results, off by default', async () => {
		const { node } = await loadPackage();
		const options = property(node.description.properties, 'options');

		expect(options.options).toContainEqual(
			expect.objectContaining({ name: 'outputUnsyncedResults', type: 'boolean', default: false }),
		);
	});
});

describe('the numeric options', () => {
	/** What the node's code makes of a value of each option (execute.ts and syncList.ts read them so). */
	const inCode: Record<string, (value: unknown) => number> = {
		maxRetries: (value) => retryPolicy({ maxRetries: value as number }).maxRetries,
		maxWait: (value) => retryPolicy({ maxWait: value as number }).maxWaitMs / 1000,
		timeout: (value) => retryPolicy({ timeout: value as number }).timeoutMs / 1000,
		maxConcurrent: (value) => optionValue('maxConcurrent', value),
		maxPerConnection: (value) => optionValue('maxPerConnection', value),
	};

	it.each(Object.keys(inCode))('%s: the editor shows the default and range the code falls back to and clamps to', async (name) => {
		const { node } = await loadPackage();
		const option = (property(node.description.properties, 'options').options as INodeProperties[]).find(
			(candidate) => candidate.name === name,
		)!;
		const { minValue, maxValue } = option.typeOptions as { minValue: number; maxValue: number };

		expect(Number.isFinite(minValue) && Number.isFinite(maxValue)).toBe(true);
		expect(inCode[name](undefined)).toBe(option.default);
		expect(inCode[name]('not a number')).toBe(option.default);
		expect(inCode[name](Infinity)).toBe(maxValue);
		expect(inCode[name](maxValue + 1000)).toBe(maxValue);
		expect(inCode[name](minValue - 1000)).toBe(minValue);
	});
});

describe('the OFAuth API credential description', () => {
	it('holds a password API key and an HTTPS base URL, authenticates in plain code and tests whoami', async () => {
		const { credential } = await loadPackage();

		expect(credential.name).toBe('ofAuthApi');
		expect(credential.displayName).toBe('OFAuth API');
		expect(property(credential.properties, 'apiKey').typeOptions).toEqual({ password: true });
		expect(property(credential.properties, 'baseUrl').default).toBe('https://api.ofauth.com');
		// A function, not a generic header expression: it decides per request whether the key may go (credential tests).
		expect(typeof credential.authenticate).toBe('function');
		expect(credential.test?.request).toMatchObject({ url: '/v2/account/whoami', method: 'GET' });
		expect(credential.test?.rules).toContainEqual(
			expect.objectContaining({ type: 'responseCode', properties: expect.objectContaining({ value: 401 }) }),
		);
		for (const file of ['credentials/ofAuth.svg', 'credentials/ofAuth.dark.svg']) {
			expect(existsSync(`${PACKAGE_ROOT}/dist/${file}`)).toBe(true);
		}
		expect(credential.iconUrl).toEqual({
			light: 'icons/n8n-nodes-ofauth-vault-plus/dist/credentials/ofAuth.svg',
			dark: 'icons/n8n-nodes-ofauth-vault-plus/dist/credentials/ofAuth.dark.svg',
		});
	});
});
