import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

import { retryPolicy } from '../nodes/VaultPlusSync/actions/syncList';
import { optionValue } from '../nodes/VaultPlusSync/descriptions/optionLimits';
import { loadPackage, PACKAGE_ROOT } from './harness/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson = require(`${PACKAGE_ROOT}/package.json`);

function property(properties: INodeProperties[], name: string): INodeProperties {
	const found = properties.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`no property ${name}`);
	return found;
}

/** Everything in a description that n8n shows as copy: parameters, their options and their modes. */
interface Copy {
	displayName?: string;
	name?: string;
	type?: string;
	description?: string;
	placeholder?: string;
	action?: string;
	options?: Copy[];
	values?: Copy[];
	modes?: Copy[];
}

function everyEntry(entries: readonly Copy[]): Copy[] {
	return entries.flatMap((entry) => [
		entry,
		...everyEntry([...(entry.options ?? []), ...(entry.values ?? []), ...(entry.modes ?? [])].filter(
			(nested): nested is Copy => typeof nested === 'object' && nested !== null,
		)),
	]);
}

/** n8n's Title Case: every word capitalised but short articles, conjunctions and prepositions. */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'per', 'the', 'to', 'with']);
const isTitleCase = (text: string) =>
	text.split(' ').every((word, index) => (index > 0 && SMALL_WORDS.has(word)) || !/^[a-z]/.test(word));

/** The node's and the credential's copy, at every level, as n8n loads them. */
async function loadedCopy() {
	const { node, credential } = await loadPackage();
	const entries = everyEntry([...(node.description.properties as Copy[]), ...(credential.properties as Copy[])]);
	return { node, credential, entries };
}

/** The anchors GitHub gives the README's headings, which the documentation links may point at. */
function readmeAnchors(): Set<string> {
	const readme = readFileSync(`${PACKAGE_ROOT}/README.md`, 'utf8');
	return new Set(
		[...readme.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
			heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'),
		),
	);
}

/** Where the package's own documentation lives: its README, on the repository package.json names. */
function expectReadmeLink(url: string): void {
	const repository = String(packageJson.repository.url).replace(/^git\+/, '').replace(/\.git$/, '');
	const link = new URL(url);
	expect(`${link.origin}${link.pathname}`).toBe(repository);
	expect(readmeAnchors()).toContain(link.hash.slice(1));
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

	it("lets Sync All Lists take the selected connection (the default) or all active ones, hiding 'Connection' for the latter", async () => {
		const { node } = await loadPackage();
		const { properties } = node.description;
		const scope = property(properties, 'connectionScope');

		expect(scope).toMatchObject({ displayName: 'Connections', type: 'options', default: 'selected', displayOptions: { show: { operation: ['syncAllLists'] } } });
		expect(scope.options?.map((option) => [(option as { value: string }).value, option.name])).toEqual([
			['allActive', 'All Active Connections'],
			['selected', 'Selected Connection'],
		]);
		// 'Connection' is one field to the user, defined once per case in which it shows.
		expect(properties.filter((candidate) => candidate.name === 'connectionId').map((candidate) => candidate.displayOptions)).toEqual([
			{ show: { operation: ['syncList'] } },
			{ show: { operation: ['syncAllLists'], connectionScope: ['selected'] } },
		]);
		expect(property(properties, 'connectionFilter')).toMatchObject({
			displayName: 'Connection Filter',
			type: 'string',
			default: '',
			displayOptions: { show: { operation: ['syncAllLists'], connectionScope: ['allActive'] } },
		});
	});

	it('has an option to output synced: false results, off by default', async () => {
		const { node } = await loadPackage();
		const options = property(node.description.properties, 'options');

		expect(options.options).toContainEqual(
			expect.objectContaining({ name: 'outputUnsyncedResults', type: 'boolean', default: false }),
		);
	});
});

describe('the codex and the copy, as n8n\'s guidelines for verified nodes ask', () => {
	it('files the node under one category, without subcategories, and links to this package\'s README', async () => {
		const { node, credential } = await loadPackage();
		const codexFile = JSON.parse(readFileSync(`${PACKAGE_ROOT}/nodes/VaultPlusSync/VaultPlusSync.node.json`, 'utf8'));

		expect(codexFile).not.toHaveProperty('subcategories');
		expect(node.description.codex?.subcategories).toBeUndefined();
		const { primaryDocumentation, credentialDocumentation } = node.description.codex?.resources ?? {};
		expect(primaryDocumentation).toHaveLength(1);
		expect(credentialDocumentation).toHaveLength(1);
		for (const { url } of [...primaryDocumentation!, ...credentialDocumentation!]) expectReadmeLink(url);
		expectReadmeLink(credential.documentationUrl!);
	});

	it('names actions without articles, in sentence case', async () => {
		const { entries } = await loadedCopy();
		const actions = entries.flatMap((entry) => entry.action ?? []);

		expect(actions).toEqual(['Sync all vault lists of connection', 'Sync vault list']);
		for (const action of actions) {
			expect(action).not.toMatch(/\b(a|an|the)\b/i);
			expect(action.split(' ').slice(1).join(' ')).toBe(action.split(' ').slice(1).join(' ').toLowerCase());
		}
	});

	it('writes names in Title Case and descriptions in sentence case, booleans starting with "Whether"', async () => {
		const { node, entries } = await loadedCopy();
		// Options' names are their display names; parameters' names are internal.
		const labels = [node.description.displayName, ...entries.map((entry) => entry.displayName ?? (entry.type ? undefined : entry.name))];
		const descriptions = entries.flatMap((entry) => entry.description ?? []);

		expect(labels.filter((label) => label !== undefined && !isTitleCase(label))).toEqual([]);
		expect(descriptions.filter((description) => !/^[A-Z]/.test(description))).toEqual([]);
		expect(entries.filter((entry) => entry.type === 'boolean' && !/^Whether /.test(entry.description ?? ''))).toEqual([]);
	});

	it('gives example placeholders as "e.g. …"', async () => {
		const { entries } = await loadedCopy();
		const typed = entries.filter((entry) => entry.type === 'string' && entry.placeholder !== undefined);

		expect(typed.length).toBeGreaterThan(0);
		for (const { placeholder } of typed) expect(placeholder).toMatch(/^e\.g\. \S/);
	});

	it('quotes parameter and field names with single quotes, never double ones', async () => {
		const { entries } = await loadedCopy();
		const texts = entries.flatMap((entry) =>
			[entry.description, entry.placeholder, entry.action].filter((text): text is string => text !== undefined),
		);

		for (const text of texts) expect(text).not.toContain('"');
		expect(texts).toContainEqual(expect.stringContaining("'Custom Lists'"));
		expect(texts).toContainEqual(expect.stringContaining("'synced'"));
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
