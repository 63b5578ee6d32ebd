import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cleanEnv, freePort, readTail, run, runChecked, start } from '../scripts/process';

const node = (code: string): [string, string[]] => [process.execPath, ['-e', code]];

describe('the one way the tooling runs a process', () => {
	let dir: string;
	beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-process-test-'))));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('returns what a command printed and how it exited, without throwing on a failure', async () => {
		const result = await run(...node('console.log("out"); console.error("err"); process.exit(3)'));
		expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
	});

	it('fails a checked command with the last lines of its output', async () => {
		const code = 'for (let i = 1; i <= 40; i++) console.log("line " + i); process.exit(2)';
		const failure = runChecked(...node(code));
		await expect(failure).rejects.toThrow(/failed \(exit 2\)[^]*line 40$/);
		await expect(failure).rejects.not.toThrow(/line 10\n/);
	});

	it('stops a command at its timeout', async () => {
		const result = await run(...node('setTimeout(() => {}, 60_000)'), { timeoutMs: 200 });
		expect(result.signal).toBe('SIGTERM');
		expect(result.stderr).toContain('[killed after 200 ms]');
	});

	it('appends a long-running process to its log, keeps its tail, and stops it', async () => {
		const logFile = path.join(dir, 'server.log');
		const lines: string[] = [];
		const child = start(...node('console.log("ready"); setInterval(() => {}, 1000)'), { logFile, onLine: (line) => lines.push(line) });
		while (!lines.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
		expect(child.exited()).toBe(false);
		expect(child.tail()).toBe('ready');
		await child.stop(1_000);
		expect(child.exited()).toBe(true);
		expect(readFileSync(logFile, 'utf8')).toContain('ready\n');
		expect(readTail(logFile)).toBe('ready');
		expect(readTail(path.join(dir, 'missing.log'))).toMatch(/no log/);
	});

	it("cleans the environment of npm's run-script state and what the caller names, keeping the user's npm settings", () => {
		process.env.npm_config_ignore_scripts = 'true';
		process.env.NPM_CONFIG_REGISTRY = 'http://mirror.invalid/';
		process.env.N8N_PORT = '1';
		try {
			const env = cleanEnv({ EXTRA: 'yes' }, /^N8N_/);
			expect(env).toMatchObject({ EXTRA: 'yes', NPM_CONFIG_REGISTRY: 'http://mirror.invalid/' });
			expect(env).not.toHaveProperty('npm_config_ignore_scripts');
			expect(env).not.toHaveProperty('N8N_PORT');
		} finally {
			delete process.env.npm_config_ignore_scripts;
			delete process.env.NPM_CONFIG_REGISTRY;
			delete process.env.N8N_PORT;
		}
	});

	it('never hands out the same free port twice in a row', async () => {
		const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
		expect(new Set(ports).size).toBe(20);
	});
});
