/** Child processes of an install: npm steps with a log file and progress lines, and short captured commands. */
import { spawn } from 'node:child_process';
import { promises as fsp, type WriteStream } from 'node:fs';
import path from 'node:path';

import { freeBytes } from './disk';
import { formatDuration } from './format';
import { countPackages, informativeLine, PROGRESS_EVERY_MS, progressLine, type Say } from './progress';

export interface StepOptions {
	title: string;
	args: string[];
	cwd: string;
	env: NodeJS.ProcessEnv;
	logStream: WriteStream;
	logFile: string;
	say: Say;
	timeoutMs: number;
}

/** Runs one npm command with its output streamed to the log file and a progress line every ~15 s. */
export async function runStep(step: StepOptions): Promise<void> {
	const started = Date.now();
	const nodeModules = path.join(step.cwd, 'node_modules');
	const diskAtStart = freeBytes(step.cwd);
	step.say(`${step.title} …`);
	step.logStream.write(`\n== ${new Date().toISOString()} $ npm ${step.args.join(' ')}  (cwd ${step.cwd})\n`);

	let lastLine = '';
	let partial = '';
	const onData = (chunk: Buffer) => {
		step.logStream.write(chunk);
		const text = partial + chunk.toString('utf8');
		const lines = text.split(/\r?\n|\r/);
		partial = lines.pop() ?? '';
		for (const line of lines) lastLine = informativeLine(line) ?? lastLine;
	};

	const child = spawn('npm', step.args, { cwd: step.cwd, env: step.env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);

	const ticker = setInterval(() => {
		step.say(
			progressLine({
				elapsedMs: Date.now() - started,
				packages: countPackages(nodeModules),
				writtenBytes: diskAtStart - freeBytes(step.cwd),
				lastOutputLine: lastLine,
			}),
		);
	}, PROGRESS_EVERY_MS);

	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
	}, step.timeoutMs);

	const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
		child.on('error', (error) => resolve({ code: null, signal: null, error }));
		child.on('close', (code, signal) => resolve({ code, signal }));
	});
	clearInterval(ticker);
	clearTimeout(timer);
	if (partial) onData(Buffer.from('\n'));

	const took = formatDuration(Date.now() - started);
	step.logStream.write(`\n== exit ${result.code ?? result.signal ?? result.error?.message} after ${took}\n`);
	if (result.code === 0) {
		step.say(`  done in ${took}`);
		return;
	}
	// Flushed first, so the tail quoted below includes npm's last words.
	await new Promise<void>((resolve) => step.logStream.write('', () => resolve()));
	const why = timedOut
		? `timed out after ${formatDuration(step.timeoutMs)}`
		: result.error
			? `could not start npm: ${result.error.message}`
			: `exited with ${result.code ?? result.signal}`;
	const tail = await tailLines(step.logFile, 30);
	throw new Error(
		`${step.title} ${why} (after ${took}).\nFull log: ${step.logFile}\nLast 30 lines:\n${tail}`,
	);
}

/** Runs a short command and returns its stdout; a non-zero exit becomes an error carrying its output. */
export async function capture(
	command: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
	const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	child.stderr.on('data', (c: Buffer) => (err += c.toString()));
	const code = await new Promise<number | null>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', resolve);
	});
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim() || out.trim()}`);
	return out;
}

/**
 * The child's environment: lower-case npm_* variables are dropped, since `npm run runtimes` exports
 * the repo's .npmrc (ignore-scripts=true …) and its own run-script state into them. Upper-case
 * NPM_CONFIG_* set by the user (a registry mirror, a proxy) are kept, and ~/.npmrc is read as usual.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/.test(key) || key === 'INIT_CWD' || key === 'NODE') continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

async function tailLines(file: string, count: number): Promise<string> {
	try {
		const text = await fsp.readFile(file, 'utf8');
		return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-count).join('\n');
	} catch (error) {
		return `(could not read ${file}: ${(error as Error).message})`;
	}
}
