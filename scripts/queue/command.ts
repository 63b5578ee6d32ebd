/**
 * Runs one system command to its end (apt-get, initdb, pg_ctl, psql), with a timeout, and fails
 * with its output when it exits non-zero. `asUser` runs it through runuser when this process is root.
 * Also starts the long-running servers (redis-server, n8n worker) with their output in a log file.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface CommandOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	/** Run as this OS user (via `runuser -u`) when this process is root; as is otherwise. */
	asUser?: string;
}

export interface CommandOutput {
	stdout: string;
	stderr: string;
}

export function isRoot(): boolean {
	return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The argv that runs `command` as `asUser` (through runuser when root), e.g. for the reaper. */
export function commandArgv(command: string, args: string[], asUser?: string): string[] {
	return asUser && isRoot() ? ['runuser', '-u', asUser, '--', command, ...args] : [command, ...args];
}

function argv(command: string, args: string[], asUser?: string): [string, string[]] {
	const [file, ...rest] = commandArgv(command, args, asUser);
	return [file, rest];
}

export async function runCommand(command: string, args: string[], opts: CommandOptions = {}): Promise<CommandOutput> {
	const [file, fileArgs] = argv(command, args, opts.asUser);
	const child = spawn(file, fileArgs, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	const timeoutMs = opts.timeoutMs ?? 120_000;
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
		child.on('error', (error) => resolve({ code: null, signal: null, error }));
		child.on('close', (code, signal) => resolve({ code, signal }));
	});
	clearTimeout(timer);
	if (result.code !== 0) {
		const why = result.error?.message ?? `exit ${result.code ?? result.signal}`;
		const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
		throw new Error(`${[file, ...fileArgs].join(' ')} failed (${why}, limit ${timeoutMs / 1000} s):\n${tail}`);
	}
	return { stdout, stderr };
}

export interface LoggedProcess {
	pid: number | undefined;
	exited(): boolean;
	/** SIGTERM, SIGKILL after graceMs, then the log is closed. Safe to call once the process is gone. */
	stop(graceMs: number): Promise<void>;
}

/** Starts a long-running server process whose stdout and stderr go to `logFile`. */
export function startLoggedProcess(
	command: string,
	args: string[],
	opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string },
): LoggedProcess {
	const output = createWriteStream(opts.logFile, { flags: 'a' });
	const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.pipe(output, { end: false });
	child.stderr.pipe(output, { end: false });
	let exited = false;
	const exit = new Promise<void>((resolve) => {
		child.once('exit', () => {
			exited = true;
			resolve();
		});
		child.once('error', (error) => {
			output.write(`\n[spawn error] ${error.message}\n`);
			exited = true;
			resolve();
		});
	});
	return {
		pid: child.pid,
		exited: () => exited,
		async stop(graceMs) {
			if (!exited) {
				child.kill('SIGTERM');
				const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
				await exit;
				clearTimeout(killer);
			}
			await new Promise<void>((resolve) => output.end(resolve));
		},
	};
}
