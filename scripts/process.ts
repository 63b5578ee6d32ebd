/** The one way the tooling starts a child process, reads the tail of its output and cleans the environment it inherits. */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

import getPort from 'get-port';

export interface CommandResult {
	command: string[];
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export interface StartOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Run as this OS user (through `runuser -u`) when this process is root. */
	asUser?: string;
	/** Appends stdout and stderr to this file instead of keeping them in memory (the tail is kept). */
	logFile?: string;
	/** Every complete line of output, stdout and stderr alike. */
	onLine?: (line: string) => void;
	/** SIGTERM after this long, SIGKILL 10 s later. */
	timeoutMs?: number;
}

export interface Child {
	pid: number | undefined;
	/** Settles when the process has exited (or could not start) and its output is read. */
	done: Promise<CommandResult>;
	exited(): boolean;
	/** The last `count` lines of its output, stdout and stderr interleaved. */
	tail(count?: number): string;
	/** SIGTERM, SIGKILL after graceMs; resolves once it has exited and its log is closed. */
	stop(graceMs?: number): Promise<CommandResult>;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** The argv that runs `command` as `asUser` (through runuser when root), e.g. for the reaper. */
export function commandArgv(command: string, args: string[], asUser?: string): string[] {
	return asUser && isRoot() ? ['runuser', '-u', asUser, '--', command, ...args] : [command, ...args];
}

/**
 * The environment a child inherits, less npm's run-script state (lower-case npm_*, INIT_CWD, NODE:
 * `npm run` exports the repo's .npmrc, ignore-scripts=true among it) and whatever `drop` names.
 * Upper-case NPM_CONFIG_* a user set (a mirror, a proxy) stay.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}, drop?: RegExp): NodeJS.ProcessEnv {
	const kept = Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE$)/.test(key) && !drop?.test(key));
	return { ...Object.fromEntries(kept), ...extra };
}

/** The last `count` non-blank lines of a text. */
export const lastLines = (text: string, count = 30): string =>
	text.split(/\r?\n|\r/).filter((line) => line.trim() !== '').slice(-count).join('\n');

/** The last lines of a log file, or a note that there is none. */
export function readTail(file: string, count = 30): string {
	try {
		return lastLines(readFileSync(file, 'utf8'), count);
	} catch {
		return `(no log at ${file})`;
	}
}

/** A port free on 127.0.0.1 and not handed out by this process in the last 15 to 30 s (get-port; README, Development). */
export const freePort = (): Promise<number> => getPort({ host: '127.0.0.1' });

/** Starts a process with its output piped: kept in memory, or appended to `logFile` when given. */
export function start(command: string, args: string[], opts: StartOptions = {}): Child {
	const argv = commandArgv(command, args, opts.asUser);
	const started = Date.now();
	const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
	const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
	const recent: string[] = [];
	let partial = '';
	const onData = (into: Buffer[]) => (chunk: Buffer) => {
		if (log) log.write(chunk);
		else into.push(chunk);
		const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
		partial = lines.pop() ?? '';
		for (const line of lines) {
			recent.push(line);
			if (recent.length > 400) recent.shift();
			opts.onLine?.(line);
		}
	};
	child.stdout.on('data', onData(output.stdout));
	child.stderr.on('data', onData(output.stderr));

	let exited = false;
	let note = '';
	const kill = (signal: NodeJS.Signals, graceMs: number) => {
		child.kill(signal);
		setTimeout(() => exited || child.kill('SIGKILL'), graceMs).unref();
	};
	const timer = opts.timeoutMs
		? setTimeout(() => {
				note = `\n[killed after ${opts.timeoutMs} ms]`;
				kill('SIGTERM', 10_000);
			}, opts.timeoutMs)
		: undefined;
	const done = new Promise<CommandResult>((resolve) => {
		let finished = false;
		const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
			if (finished) return;
			finished = exited = true;
			clearTimeout(timer);
			if (partial) onData([])(Buffer.from('\n'));
			const stdout = Buffer.concat(output.stdout).toString('utf8');
			const stderr = Buffer.concat(output.stderr).toString('utf8') + note;
			const result = { command: argv, exitCode, signal, stdout, stderr, durationMs: Date.now() - started };
			if (log) log.end(() => resolve(result));
			else resolve(result);
		};
		child.once('error', (error) => {
			note += `\n[spawn error] ${error.message}`;
			finish(null, null);
		});
		// 'close' waits for the output to end, which a grandchild left running (n8n's task runner)
		// could hold open: 2 s after the exit is enough for what the process itself wrote.
		child.once('exit', (code, signal) => {
			exited = true;
			setTimeout(() => finish(code, signal), 2_000).unref();
		});
		child.once('close', finish);
	});
	return {
		pid: child.pid,
		done,
		exited: () => exited,
		tail: (count = 40) => lastLines([...recent, partial].join('\n'), count),
		async stop(graceMs = 10_000) {
			if (!exited) kill('SIGTERM', graceMs);
			return await done;
		},
	};
}

/** Runs a command to its end (2 min at most unless told); a non-zero exit is in the result, not thrown. */
export const run = (command: string, args: string[], opts: StartOptions = {}): Promise<CommandResult> =>
	start(command, args, { timeoutMs: 120_000, ...opts }).done;

/** Runs a command to its end and fails with the tail of its output unless it exits 0. */
export async function runChecked(command: string, args: string[], opts: StartOptions = {}): Promise<CommandResult> {
	const result = await run(command, args, opts);
	if (result.exitCode !== 0) throw commandError(result.command.join(' '), result);
	return result;
}

export function commandError(what: string, result: CommandResult): Error {
	const how = `failed (exit ${result.exitCode ?? result.signal}) after ${(result.durationMs / 1000).toFixed(1)} s`;
	return new Error(`${what} ${how}; last output:\n${lastLines(`${result.stdout}\n${result.stderr}`)}`);
}

/** Calls `probe` every 250 ms until it returns something other than undefined; a probe that throws ends the wait. */
export async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
