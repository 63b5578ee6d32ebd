/**
 * Debian's Chromium for the browser test (`npm run test:ui`): /usr/bin/chromium, installed with apt-get when it
 * is missing. Playwright drives it as is; nothing downloads a browser of its own.
 * `tsx scripts/chromium.ts` prints its version, after installing it if needed.
 */
import { existsSync } from 'node:fs';

import { aptInstall } from './apt';
import { formatDuration } from './n8n-runtime';
import { runChecked } from './process';

export const CHROMIUM_PATH = '/usr/bin/chromium';

async function main(): Promise<void> {
	if (!existsSync(CHROMIUM_PATH)) {
		console.log(`${CHROMIUM_PATH} is missing: installing Debian's chromium`);
		const started = Date.now();
		await aptInstall(['chromium'], (line) => console.log(line));
		if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium, but ${CHROMIUM_PATH} is still missing`);
		console.log(`chromium installed in ${formatDuration(Date.now() - started)}`);
	}
	console.log((await runChecked(CHROMIUM_PATH, ['--version'])).stdout.trim());
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
