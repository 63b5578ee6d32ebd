/**
 * A throwaway N8N_USER_FOLDER with the packed package unpacked into .n8n/custom/, the environment
 * every n8n command there gets, and the CLI commands (import, execute, start) run against it.
 */
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { N8nRuntime } from '../n8n-runtime';
import { cleanEnv, commandError, freePort, run as runProcess, runChecked, type CommandResult } from '../process';
import { NODE_TYPE, PACKAGE_NAME, TEST_ENCRYPTION_KEY } from './constants';
import { parseRun, type N8nRunLike } from './run-output';
import { startServer, type RunningN8n } from './server';

export interface ExecuteResult extends CommandResult {
	/** The IRun printed by `n8n execute --rawOutput`, when stdout had one. */
	run?: N8nRunLike;
}

export interface N8nInstanceOptions {
	/** Use this folder as N8N_USER_FOLDER instead of a fresh mkdtemp one (it is created if missing). */
	dir?: string;
	/** N8N_LOG_LEVEL for every command; default warn. */
	logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
	/** Extra environment for every n8n command (applied last). */
	env?: Record<string, string>;
	/** Progress lines; default: nothing. */
	log?: (line: string) => void;
}

export interface N8nInstance {
	runtime: N8nRuntime;
	/** N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
	userFolder: string;
	/** Where the packed package was unpacked. */
	packageDir: string;
	/** The complete environment every n8n command gets. */
	env: NodeJS.ProcessEnv;
	nodeType: typeof NODE_TYPE;
	/** Any n8n CLI command, e.g. run(['export:workflow', '--all']). Never throws on a non-zero exit. */
	run(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<CommandResult>;
	/** `n8n import:credentials --input=<tmp.json>`; plain `data` gets encrypted. Throws when n8n fails. */
	importCredentials(creds: object[]): Promise<CommandResult>;
	/** `n8n import:workflow --input=<tmp.json>`. Throws when n8n fails. */
	importWorkflows(workflows: object[]): Promise<CommandResult>;
	/** `n8n execute --id=<id> --rawOutput`: exit 0 on success, 1 when the workflow failed. */
	execute(workflowId: string, opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<ExecuteResult>;
	/** `n8n start` on 127.0.0.1 (port: given, or a free one), resolved when /healthz and /rest/settings answer 200. */
	start(opts?: { port?: number; timeoutMs?: number; env?: Record<string, string> }): Promise<RunningN8n>;
	/** Stops a server still running and removes the user folder. */
	cleanup(): Promise<void>;
}

/**
 * Env variables a developer's shell could carry that would change what n8n does. NODE_ENV=test (set
 * by jest) silences n8n's logger, which prints the run, and breaks `n8n start`.
 */
const INHERITED_N8N_SETTINGS = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$|WEBHOOK_URL$|NODE_ENV$)/;

export async function createUserFolder(
	runtime: N8nRuntime,
	tarball: string,
	opts: N8nInstanceOptions = {},
): Promise<N8nInstance> {
	const log = opts.log ?? (() => undefined);
	if (!existsSync(tarball)) throw new Error(`No package tarball at ${tarball}`);
	const userFolder = opts.dir
		? path.resolve(opts.dir)
		: await fsp.mkdtemp(path.join(os.tmpdir(), `ofauth-n8n-${runtime.name}-`));
	await fsp.mkdir(userFolder, { recursive: true });

	const packageDir = path.join(userFolder, '.n8n', 'custom', 'node_modules', PACKAGE_NAME);
	await fsp.rm(packageDir, { recursive: true, force: true });
	await fsp.mkdir(packageDir, { recursive: true });
	await runChecked('tar', ['-xzf', tarball, '--strip-components=1', '-C', packageDir]);
	if (!existsSync(path.join(packageDir, 'package.json'))) {
		throw new Error(`${tarball} did not unpack to a package (no package.json in ${packageDir})`);
	}
	const scratch = path.join(userFolder, 'e2e-inputs');
	await fsp.mkdir(scratch, { recursive: true });

	const env = cleanEnv({
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: opts.logLevel ?? 'warn',
		// 1.x warns that running without task runners is deprecated; 2.x always runs them and warns
		// that the variable is no longer needed.
		...(runtime.n8nVersion.startsWith('1.') ? { N8N_RUNNERS_ENABLED: 'true' } : {}),
		// 1.x warns that SQLite without a read pool is deprecated; a pool also means WAL mode.
		DB_SQLITE_POOL_SIZE: '2',
		GENERIC_TIMEZONE: 'UTC',
		...runtime.env,
		...opts.env,
	}, INHERITED_N8N_SETTINGS);

	let server: RunningN8n | undefined;
	let inputCounter = 0;

	const run: N8nInstance['run'] = async (args, runOpts = {}) => {
		// Each command gets its own task-broker port, so two instances (or a server and a CLI
		// command of the same instance) never fight over the default 5679.
		const brokerPort = await freePort();
		return runProcess(runtime.nodeBin, [runtime.n8nMain, ...args], {
			cwd: userFolder,
			env: { ...env, N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...runOpts.env },
			timeoutMs: runOpts.timeoutMs ?? 180_000,
		});
	};

	async function writeInput(kind: string, content: object[]): Promise<string> {
		if (!Array.isArray(content)) throw new Error(`${kind}: expected an array`);
		inputCounter += 1;
		const file = path.join(scratch, `${kind}-${inputCounter}.json`);
		await fsp.writeFile(file, JSON.stringify(content, null, 2));
		return file;
	}

	async function importChecked(kind: 'credentials' | 'workflow', content: object[]): Promise<CommandResult> {
		const file = await writeInput(kind, content);
		log(`n8n import:${kind} (${content.length})`);
		const result = await run([`import:${kind}`, `--input=${file}`]);
		// Older CLIs exit 0 after printing "An error occurred while importing …": check both.
		if (result.exitCode !== 0 || /error occurred while importing/i.test(result.stdout + result.stderr)) {
			throw commandError(`n8n import:${kind}`, result);
		}
		return result;
	}

	const instance: N8nInstance = {
		runtime,
		userFolder,
		packageDir,
		env,
		nodeType: NODE_TYPE,
		run,
		importCredentials: (creds) => importChecked('credentials', creds),
		importWorkflows: (workflows) => importChecked('workflow', workflows),
		async execute(workflowId, execOpts = {}) {
			log(`n8n execute --id=${workflowId}`);
			// `execute` prints the IRun through n8n's logger at level info (BaseCommand.log → logger.info),
			// so a quieter N8N_LOG_LEVEL would swallow it.
			const result = await run(['execute', `--id=${workflowId}`, '--rawOutput'], {
				...execOpts,
				env: { N8N_LOG_LEVEL: 'info', ...execOpts.env },
			});
			return { ...result, run: parseRun(result.stdout) };
		},
		async start(startOpts = {}) {
			if (server) throw new Error(`n8n is already running at ${server.url} for ${userFolder}`);
			server = await startServer({
				runtime,
				env: { ...env, ...startOpts.env },
				userFolder,
				port: startOpts.port,
				timeoutMs: startOpts.timeoutMs ?? 90_000,
				log,
				onStopped: () => {
					server = undefined;
				},
			});
			return server;
		},
		async cleanup() {
			if (server) await server.stop();
			if (opts.dir) {
				// A caller-chosen folder: remove only what we put there.
				await fsp.rm(path.join(userFolder, '.n8n'), { recursive: true, force: true });
				await fsp.rm(scratch, { recursive: true, force: true });
			} else {
				await fsp.rm(userFolder, { recursive: true, force: true });
			}
		},
	};
	return instance;
}
