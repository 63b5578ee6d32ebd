/**
 * The Vault+ sandbox in a child process, so that its work does not share an event loop with the code
 * being measured (as a real OFAuth would not).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { SandboxSeed } from '../sandbox/seed';

/** The CLI next to this file: TypeScript run through tsx, or compiled JavaScript run as is. */
function cliCommand(): string[] {
	const compiled = path.resolve(__dirname, '../sandbox/cli.js');
	return existsSync(compiled) ? [compiled] : ['--import', 'tsx', path.resolve(__dirname, '../sandbox/cli.ts')];
}

export interface SandboxProcess {
	url: string;
	stop(): Promise<void>;
}

export async function startSandboxProcess(options: { seed?: SandboxSeed } = {}): Promise<SandboxProcess> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-sandbox-'));
	const args = [...cliCommand(), '--port', '0'];
	if (options.seed) {
		const seedFile = path.join(dir, 'seed.json');
		// The seed file leaves out what is unset; parsed seeds spell it as null.
		writeFileSync(seedFile, JSON.stringify(options.seed, (_key, value: unknown) => (value === null ? undefined : value)));
		args.push('--seed', seedFile);
	}
	const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
			if (match) resolve(match[1]);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening:\n${output}`)));
	});
	return {
		url,
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await exited;
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
