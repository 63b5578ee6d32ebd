/**
 * The editor journey of a new user, in Debian's Chromium against `n8n start` (n8n 2.41.1) with the
 * packed package and the Vault+ sandbox: find the node, create its credential, pick from its
 * dropdowns, run it, read the canvas, switch the operation, find it among the AI Agent's tools.
 * Steps run in order on one page; each starts where the one before left off. The screenshots in
 * docs/ are taken on the way.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { INodePropertyOptions } from 'n8n-workflow';
import type { Browser, Page } from 'playwright-core';

import { operationParameter } from '../../nodes/VaultPlusSync/descriptions/parameters';
import { REPO_ROOT, setUpPackagedN8n, type DemoSetup } from '../../scripts/demo/setup';
import { predictRun } from '../../scripts/demo/story';
import { CUSTOM_NODE_TYPE } from '../../scripts/demo/workflows';
import type { RunningN8n } from '../../scripts/n8n-instance';
import { listedNodeTypes } from '../harness/editor-api';
import { collectConsoleErrors, launchChromium, type ConsoleError, type ConsoleErrors } from './browser';
import {
	canvasNode,
	canvasSubtitle,
	credentialModal,
	dismissToasts,
	ndv,
	nodeCreator,
	signIn,
	waitForImages,
	waitForTexts,
} from './editor';

const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1ui', firstName: 'Vault', lastName: 'Owner' };
const DOCS = path.join(REPO_ROOT, 'docs');
const NODE_NAME = 'Vault+ Sync';
const BEACH_SET = { connectionId: 'conn_alice', listId: '1001', name: 'Beach Set' };
const OUTPUT_FIELDS = [
	'synced',
	'listId',
	'seen',
	'addedItems',
	'updatedItems',
	'removedItems',
	'unchangedItems',
	'adoptedItems',
	'connectionId',
];

/** An operation as the editor names it, from the node's own description. */
function operation(value: string): Required<Pick<INodePropertyOptions, 'name' | 'action'>> {
	const option = (operationParameter.options as INodePropertyOptions[]).find((o) => o.value === value);
	if (!option?.action) throw new Error(`The node has no operation ${value} with an action`);
	return { name: option.name, action: option.action };
}

const SIGN_IN = 'signs in as the owner';

/**
 * Console errors that are not our node's parameters' doing. Each is matched by its step or the URL it
 * names, so that an error of the node's parameters cannot hide behind it.
 */
const EXPLAINED_ERRORS: Array<(error: ConsoleError) => boolean> = [
	// n8n's own: before anyone signs in, the editor asks whether a session exists, and 401 means "no".
	// No node is on the page yet.
	(error) => error.step.endsWith(SIGN_IN) && error.url.endsWith('/rest/login') && error.text.includes('401'),
	// Not a parameter's, but our node's: for a node without run data (here the AI Agent's input after
	// the switch to Sync All Lists) the editor asks for an optional output-schema preview,
	// <node folder>/__schema__/v<version>/<operation>.json, and shows none on a 404. The package ships
	// no such files yet; once it does, this entry goes.
	(error) =>
		/\/schemas\/CUSTOM\.vaultPlusSync\/1\.0\.0\/(syncList|syncAllLists)\.json$/.test(error.url) &&
		error.text.includes('404'),
];

describe('the editor journey in Chromium (n8n 2.41.1)', () => {
	let setup: DemoSetup;
	let server: RunningN8n;
	let browser: Browser;
	let page: Page;
	let consoleErrors: ConsoleErrors;

	beforeAll(async () => {
		mkdirSync(DOCS, { recursive: true });
		setup = await setUpPackagedN8n({ skipBuild: true });
		server = await setup.instance.start();
		const api = await server.setupOwner(OWNER);
		// A package n8n could not load would only show as a node missing from the panel.
		expect(await listedNodeTypes(api)).toContain(CUSTOM_NODE_TYPE);
		browser = await launchChromium();
		const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
		page = await context.newPage();
		// Two slow cores run n8n, the sandbox and Chromium at once.
		page.setDefaultTimeout(60_000);
		page.setDefaultNavigationTimeout(120_000);
		consoleErrors = collectConsoleErrors(page);
	});

	beforeEach(() => consoleErrors.step(expect.getState().currentTestName ?? ''));

	afterAll(async () => {
		await browser?.close();
		await setup?.close();
	});

	/** docs/<name>.png, with transitions finished so that a run that shows the same writes the same. */
	async function screenshot(name: string): Promise<void> {
		await page.screenshot({ path: path.join(DOCS, `${name}.png`), animations: 'disabled' });
	}

	let failedStep: string | undefined;

	/**
	 * A step of the journey: it starts where the one before left off, so after a failure the rest
	 * fail at once; a screenshot shows where the page stood.
	 */
	function step(title: string, run: () => Promise<void>): void {
		it(title, async () => {
			if (failedStep) throw new Error(`Not run: the step "${failedStep}" failed`);
			try {
				await run();
			} catch (error) {
				failedStep = title;
				const file = path.join(os.tmpdir(), `ofauth-ui-failed-${title.replace(/\W+/g, '-')}.png`);
				await page.screenshot({ path: file }).catch(() => undefined);
				if (typeof (error as Error)?.message === 'string') (error as Error).message += `\n(screenshot: ${file})`;
				throw error;
			}
		});
	}

	step(SIGN_IN, async () => {
		await signIn(page, OWNER);

		expect(page.url()).toMatch(/\/home\//);
	});

	step('finds Vault+ Sync in the nodes panel by typing "Vault"', async () => {
		await page.goto('/workflow/new');
		await page.getByTestId('canvas-add-button').click();
		const creator = nodeCreator(page);
		await creator.search('Vault');

		await creator.item(NODE_NAME).waitFor();
		await waitForImages(creator.root);
		await screenshot('node-in-panel');

		await creator.item(NODE_NAME).click();
		await creator.item(operation('syncList').action).click();
		await ndv(page).root.waitFor();
	});

	step('creates the OFAuth API credential: its test passes with the key and fails with a wrong one', async () => {
		const modal = credentialModal(page);
		await page.getByTestId('node-credentials-empty-state').click();
		await modal.fill('apiKey', 'test-key');
		await modal.fill('baseUrl', setup.sandbox.url);

		expect(await modal.saveAndTest()).toEqual({ status: 'OK', message: 'Connection successful!' });
		// A new credential that passes its test closes the modal and is chosen for the node.
		await modal.root.waitFor({ state: 'hidden' });

		// Opening it again tests it again.
		await page.getByTestId('node-credentials-slot').getByTestId('credential-edit-button').click();
		await modal.success.waitFor();

		await modal.fill('apiKey', 'wrong-key');
		const rejected = await modal.saveAndTest();
		expect(rejected.status).toBe('Error');
		expect(await modal.failureDetails()).toContain('OFAuth rejected the API key');
		expect(rejected.message).toContain('OFAuth rejected the API key');

		await modal.fill('apiKey', 'test-key');
		expect((await modal.saveAndTest()).status).toBe('OK');
		await modal.success.waitFor();
		await modal.close();
	});

	step('picks a connection, then a vault list, from dropdowns that filter as one types', async () => {
		const connection = ndv(page).resourceLocator('connectionId');
		await connection.getByTestId('rlc-input').click();
		await connection.getByTestId('rlc-search').fill('alice');
		await waitForTexts(connection.getByTestId('rlc-item'), ['Alice Sandbox (@alice_sbx)']);
		await connection.getByTestId('rlc-item').click();

		const list = ndv(page).resourceLocator('listId');
		await dismissToasts(page);
		await list.getByTestId('rlc-input').click();
		await list.getByTestId('rlc-item').filter({ hasText: BEACH_SET.name }).waitFor();
		await screenshot('parameters-dropdown');
		await list.getByTestId('rlc-search').fill('beach');
		await waitForTexts(list.getByTestId('rlc-item'), [BEACH_SET.name]);
		await list.getByTestId('rlc-item').click();

		expect(await connection.getByTestId('rlc-input').inputValue()).toBe('Alice Sandbox (@alice_sbx)');
		expect(await list.getByTestId('rlc-input').inputValue()).toBe(BEACH_SET.name);
	});

	step('executes the step and shows the sync counts the sandbox predicts in the output panel', async () => {
		const [predicted] = predictRun(setup.sandbox.state, [BEACH_SET]);
		const { output, root } = ndv(page);
		await root.getByTestId('node-execute-button').click();

		const table = output.getByTestId('ndv-data-container').locator('table');
		await table.waitFor();
		const headers = (await table.locator('thead th').allInnerTexts()).map((text) => text.trim()).filter(Boolean);
		expect(headers).toEqual(OUTPUT_FIELDS);
		const cells = (await table.locator('tbody tr').first().locator('td').allInnerTexts()).map((text) => text.trim());
		const expected: Record<string, unknown> = { ...predicted, connectionId: BEACH_SET.connectionId };
		expect(cells.slice(0, OUTPUT_FIELDS.length)).toEqual(OUTPUT_FIELDS.map((field) => String(expected[field])));
		expect(expected.synced).toBe(true);

		// The JSON view shows all nine fields at once, for the screenshot.
		await output.getByRole('radio', { name: 'JSON' }).click();
		await output.getByText('"adoptedItems"').waitFor();
		await dismissToasts(page);
		await screenshot('output');
	});

	step("shows the picked list's name on the canvas, or the ID typed", async () => {
		const details = ndv(page);
		await details.close();
		await waitForTexts(canvasSubtitle(page, NODE_NAME), [`Sync list ${BEACH_SET.name}`]);

		await details.open(NODE_NAME);
		const list = details.resourceLocator('listId');
		await list.getByTestId('rlc-mode-selector').click();
		await page.getByRole('option', { name: 'By ID' }).click();
		await list.getByTestId('rlc-input').fill('1002');
		await details.close();
		await waitForTexts(canvasSubtitle(page, NODE_NAME), ['Sync list 1002']);
	});

	step('switches to Sync All Lists: List Types and Name Filter appear, Vault List goes', async () => {
		const details = ndv(page);
		await details.open(NODE_NAME);
		await details.choose('operation', operation('syncAllLists').name);

		await details.parameter('listTypes').waitFor();
		await details.parameter('nameFilter').waitFor();
		await details.parameter('listId').waitFor({ state: 'detached' });
		const labels = await details.root.getByTestId('node-parameters').innerText();
		expect(labels).toContain('List Types');
		expect(labels).toContain('Name Filter');
		expect(labels).not.toContain('Vault List');

		await details.close();
		await waitForTexts(canvasSubtitle(page, NODE_NAME), ['Sync all lists']);
	});

	step("in Sync All Lists, 'Connections' keeps the picked connection or gives it up for all active ones and a Connection Filter", async () => {
		const details = ndv(page);
		await details.open(NODE_NAME);
		await details.parameter('connectionScope').waitFor();
		// 'Selected Connection' (the default) keeps the connection picked for Sync List.
		await details.resourceLocator('connectionId').waitFor();
		expect(await details.resourceLocator('connectionId').getByTestId('rlc-input').inputValue()).toBe('Alice Sandbox (@alice_sbx)');

		await details.choose('connectionScope', 'All Active Connections');
		await details.parameter('connectionFilter').waitFor();
		await details.resourceLocator('connectionId').waitFor({ state: 'detached' });

		await details.choose('connectionScope', 'Selected Connection');
		await details.resourceLocator('connectionId').waitFor();
		await details.parameter('connectionFilter').waitFor({ state: 'detached' });
		await details.close();
	});

	step("is among the AI Agent's tools", async () => {
		const creator = nodeCreator(page);
		await page.getByTestId('node-creator-plus-button').click();
		await creator.search('AI Agent');
		await creator.item('AI Agent').click();
		await ndv(page).close();

		const toolConnector = canvasNode(page, 'AI Agent').locator(
			'[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"]',
		);
		await toolConnector.getByTestId('canvas-handle-plus').click();
		await creator.search('Vault');

		await creator.item(`${NODE_NAME} Tool`).waitFor();
	});

	it("raises no console errors of the node's parameters", () => {
		const unexplained = consoleErrors.all().filter((error) => !EXPLAINED_ERRORS.some((explained) => explained(error)));

		expect(unexplained).toEqual([]);
	});
});
