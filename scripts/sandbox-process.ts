/** The Vault+ sandbox in a child process, so that its work does not share an event loop with the code being measured. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { SandboxSeed } from '../sandbox/seed';
import { start } from './process';

export async function startSandboxProcess({ seed }: { seed: SandboxSeed }): Promise<{ url: string; stop(): Promise<void> }> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-sandbox-'));
	// The seed file leaves out what is unset; parsed seeds spell it as null.
	writeFileSync(path.join(dir, 'seed.json'), JSON.stringify(seed, (_key, value: unknown) => (value === null ? undefined : value)));
	const args = ['--import', 'tsx', path.resolve(__dirname, '../sandbox/cli.ts'), '--port', '0', '--seed', path.join(dir, 'seed.json')];
	let listening = (_url: string) => {};
	const url = new Promise<string>((resolve) => (listening = resolve));
	const onLine = (line: string) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.slice(1).forEach(listening);
	const child = start(process.execPath, args, { onLine });
	const exited = child.done.then(({ exitCode }) => {
		throw new Error(`the sandbox exited (${exitCode}) before listening:\n${child.tail()}`);
	});
	return {
		url: await Promise.race([url, exited]),
		async stop() {
			await child.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
