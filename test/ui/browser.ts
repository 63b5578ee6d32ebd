/**
 * Debian's Chromium driven by playwright-core (which downloads no browser of its own), and the
 * browser console's errors, each with the step of the journey it came in.
 */
import { chromium, selectors, type Browser, type Page } from 'playwright-core';

import { CHROMIUM_PATH } from '../../scripts/chromium';

/**
 * This machine's network is closed: without the background-networking flags Chromium keeps trying
 * to reach Google's hosts. Playwright gives every launch a new, empty profile (--user-data-dir).
 */
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** n8n's markup and its own Playwright tests use data-test-id, not Playwright's data-testid. */
selectors.setTestIdAttribute('data-test-id');

export async function launchChromium(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

export interface ConsoleError {
	/** The step of the journey that was running (see ConsoleErrors.step). */
	step: string;
	text: string;
	/** Where it was raised; for "Failed to load resource", the resource's URL. */
	url: string;
}

export interface ConsoleErrors {
	/** Names the step now running, so that an error says when it came. */
	step(name: string): void;
	all(): ConsoleError[];
}

/** Console messages of type error and uncaught exceptions of the page, from now on. */
export function collectConsoleErrors(page: Page): ConsoleErrors {
	const errors: ConsoleError[] = [];
	let current = 'start';
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push({ step: current, text: message.text(), url: message.location().url });
	});
	page.on('pageerror', (error) => errors.push({ step: current, text: `${error.name}: ${error.message}`, url: page.url() }));
	return {
		step(name) {
			current = name;
		},
		all: () => [...errors],
	};
}
