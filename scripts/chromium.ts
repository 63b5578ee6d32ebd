/**
 * Debian's Chromium for the browser test (`npm run test:ui`): /usr/bin/chromium, installed with
 * apt-get when it is missing. Playwright drives it as is; nothing downloads a browser of its own.
 *
 *   tsx scripts/chromium.ts        prints the version, after installing it if needed
 */
import { existsSync } from 'node:fs';

import { aptInstall } from './apt';
import { formatDuration } from './n8n-runtime';
import { runChecked } from './process';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function ensureChromium(log: (line: string) => void): Promise<string> {
	if (!existsSync(CHROMIUM_PATH)) {
		log(`${CHROMIUM_PATH} is missing: installing Debian's chromium`);
		const started = Date.now();
		await aptInstall(['chromium'], log);
		log(`chromium installed in ${formatDuration(Date.now() - started)}`);
		if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is still missing after apt-get install chromium`);
	}
	return CHROMIUM_PATH;
}

if (require.main === module) {
	ensureChromium((line) => console.log(line))
		.then(async (chromium) => console.log((await runChecked(chromium, ['--version'])).stdout.trim()))
		.catch((error: unknown) => {
			console.error(error instanceof Error ? error.message : error);
			process.exit(1);
		});
}
