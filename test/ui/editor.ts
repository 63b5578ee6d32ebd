/**
 * n8n 2.41's editor as a user meets it, found by the data-test-id attributes of its markup (read in
 * n8n-io/n8n, packages/frontend/editor-ui, and in the editor bundle n8n-editor-ui 2.41.1 ships).
 */
import type { Locator, Page } from 'playwright-core';

import type { OwnerDetails } from '../../scripts/n8n-instance';

/** Polls until the locator's elements read exactly `expected` (e.g. a dropdown after a search). */
export async function waitForTexts(locator: Locator, expected: string[], timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let seen: string[] = [];
	while (Date.now() < deadline) {
		seen = (await locator.allInnerTexts()).map((text) => text.trim());
		if (JSON.stringify(seen) === JSON.stringify(expected)) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`Expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(seen)}`);
}

/** Waits until every image under the locator has loaded (node icons come in after the list). */
export async function waitForImages(locator: Locator, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const loaded = (images: Array<{ complete: boolean; naturalWidth: number }>) =>
		images.every((image) => image.complete && image.naturalWidth > 0);
	while (!(await locator.locator('img').evaluateAll(loaded))) {
		if (Date.now() > deadline) throw new Error('Images did not load');
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Closes the toasts n8n shows (Element Plus notifications), so that screenshots show the page. */
export async function dismissToasts(page: Page): Promise<void> {
	await page.evaluate("document.querySelectorAll('.el-notification__closeBtn').forEach((button) => button.click())");
	await page.locator('.el-notification').first().waitFor({ state: 'detached' });
}

export async function signIn(page: Page, owner: Pick<OwnerDetails, 'email' | 'password'>): Promise<void> {
	await page.goto('/signin');
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(owner.email);
	await page.getByTestId('password').locator('input').fill(owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL(/\/home\//);
}

/** The node creator: the panel that "Add first step", a "+" or a node's connector opens. */
export function nodeCreator(page: Page) {
	const root = page.getByTestId('node-creator');
	return {
		root,
		items: root.getByTestId('item-iterator-item'),
		async search(text: string): Promise<void> {
			await root.getByTestId('node-creator-search-bar').fill(text);
		},
		/** The node or action called exactly `name`. */
		item(name: string): Locator {
			const title = page.getByTestId('node-creator-item-name').filter({ hasText: new RegExp(`^${escapeRegExp(name)}$`) });
			return root.getByTestId('item-iterator-item').filter({ has: title });
		},
	};
}

export function canvasNode(page: Page, name: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
}

/** n8n gives the subtitle under a node's name no test id; its CSS-module class keeps the word. */
export function canvasSubtitle(page: Page, nodeName: string): Locator {
	return canvasNode(page, nodeName).locator('[class*="subtitle"]');
}

/** The node details view (NDV) of the node open now. */
export function ndv(page: Page) {
	const root = page.getByTestId('ndv');
	return {
		root,
		parameter: (name: string) => root.getByTestId(`parameter-input-${name}`),
		resourceLocator: (name: string) => root.getByTestId(`resource-locator-${name}`),
		output: root.getByTestId('output-panel'),
		async open(nodeName: string): Promise<void> {
			await canvasNode(page, nodeName).dblclick();
			await root.waitFor();
		},
		async close(): Promise<void> {
			await root.getByTestId('ndv-close-button').click();
			await root.waitFor({ state: 'hidden' });
		},
		/** Opens an options parameter and picks the option whose name starts with `optionName`. */
		async choose(parameterName: string, optionName: string): Promise<void> {
			await root.getByTestId(`parameter-input-${parameterName}`).click();
			await page.getByRole('option', { name: optionName }).filter({ visible: true }).first().click();
		},
	};
}

/**
 * The credential modal. On Save n8n stores the credential and runs its test (POST
 * /rest/credentials/test); a new credential that passes closes the modal, any other result keeps it open
 * with a banner: "Connection tested successfully", or "Couldn't connect with these settings" whose
 * "More details" shows the test's message.
 */
export function credentialModal(page: Page) {
	const root = page.getByTestId('editCredential-modal');
	return {
		root,
		success: root.getByTestId('credentials-config-container-test-success'),
		async fill(field: string, value: string): Promise<void> {
			await root.getByTestId(`parameter-input-${field}`).locator('input').fill(value);
		},
		/** Saves; resolves with the credential test's answer. */
		async saveAndTest(): Promise<{ status: string; message: string }> {
			const tested = page.waitForResponse((response) => response.url().endsWith('/rest/credentials/test'));
			await root.getByTestId('credential-save-button').click();
			const body = (await (await tested).json()) as { data: { status: string; message: string } };
			return body.data;
		},
		/** Opens "More details" of a failed test; the modal's text then has the test's message. */
		async failureDetails(): Promise<string> {
			await root.getByText('More details').click();
			return root.innerText();
		},
		async close(): Promise<void> {
			await root.getByRole('button', { name: /close/i }).click();
			await root.waitFor({ state: 'hidden' });
		},
	};
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
