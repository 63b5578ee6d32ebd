/**
 * The Vault+ sandbox in a child process, so that its work does not share an event loop with the code
 * being measured (as a real OFAuth would not).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { SandboxSeed } from '../sandbox/seed';
import { start } from './process';

export interface SandboxProcess {
	url: string;
	stop(): Promise<void>;
}

export async function startSandboxProcess(options: { seed?: SandboxSeed } = {}): Promise<SandboxProcess> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-sandbox-'));
	const args = ['--import', 'tsx', path.resolve(__dirname, '../sandbox/cli.ts'), '--port', '0'];
	if (options.seed) {
		// The seed file leaves out what is unset; parsed seeds spell it as null.
		writeFileSync(path.join(dir, 'seed.json'), JSON.stringify(options.seed, (_key, value: unknown) => (value === null ? undefined : value)));
		args.push('--seed', path.join(dir, 'seed.json'));
	}
	let listening = (_url: string) => {};
	const url = new Promise<string>((resolve) => (listening = resolve));
	const child = start(process.execPath, args, { onLine: (line) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.slice(1).forEach(listening) });
	const exited = child.done.then((result) => Promise.reject(new Error(`the sandbox exited (${result.exitCode}) before listening:\n${child.tail()}`)));
	return {
		url: await Promise.race([url, exited]),
		async stop() {
			await child.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
