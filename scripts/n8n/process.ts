/** Child processes with captured output and a timeout, their failures as errors, and free ports. */
import { spawn } from 'node:child_process';
import net from 'node:net';

import { STOP_GRACE_MS } from './constants';

export interface CommandResult {
	command: string[];
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export async function runProcess(
	command: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
	const started = Date.now();
	const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	const out: Buffer[] = [];
	const err: Buffer[] = [];
	child.stdout.on('data', (c: Buffer) => out.push(c));
	child.stderr.on('data', (c: Buffer) => err.push(c));
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
	}, opts.timeoutMs);
	const { code, signal, error } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
		(resolve) => {
			child.on('error', (e) => resolve({ code: null, signal: null, error: e }));
			child.on('close', (c, s) => resolve({ code: c, signal: s }));
		},
	);
	clearTimeout(timer);
	const stderr =
		Buffer.concat(err).toString('utf8') +
		(timedOut ? `\n[killed after ${opts.timeoutMs} ms]` : '') +
		(error ? `\n[spawn error] ${error.message}` : '');
	return {
		command: [command, ...args],
		exitCode: code,
		signal,
		stdout: Buffer.concat(out).toString('utf8'),
		stderr,
		durationMs: Date.now() - started,
	};
}

export function commandError(what: string, result: CommandResult): Error {
	const lines = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).filter((l) => l.trim() !== '');
	return new Error(
		`${what} failed (exit ${result.exitCode ?? result.signal}) after ${(result.durationMs / 1000).toFixed(1)} s; last output:\n${lines.slice(-30).join('\n')}`,
	);
}

/** Ports this process has handed out: servers started together must not be given the same one. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago on 127.0.0.1 and has not been handed out before by this process
 * (the OS may offer a port again until the server it was meant for has bound it).
 */
export async function freePort(): Promise<number> {
	for (let attempt = 0; attempt < 20; attempt++) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = net.createServer();
			server.unref();
			server.on('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const chosen = typeof address === 'object' && address ? address.port : 0;
				server.close(() => resolve(chosen));
			});
		});
		if (port && !handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('Could not find a free TCP port on 127.0.0.1');
}
