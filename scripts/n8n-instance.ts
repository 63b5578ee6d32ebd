/**
 * Drives a real n8n (a runtime from ./n8n-runtime.ts) with this package installed the way a user
 * gets it: the `npm pack` tarball, unpacked into a throwaway N8N_USER_FOLDER, then the CLI commands
 * (import, execute) and `n8n start` run there. What the editor asks the server: ./n8n/rest.ts.
 *
 * Why the tarball and not a symlink to the dev folder: the dev folder has its own
 * node_modules/n8n-workflow, so `instanceof NodeApiError` across the two copies fails and n8n's
 * error handling changes. The packed copy has no node_modules and resolves n8n's own n8n-workflow.
 *
 * The package lands in $N8N_USER_FOLDER/.n8n/custom/…, which n8n loads with its CustomDirectoryLoader:
 * node types are then `CUSTOM.<name>`, not `n8n-nodes-ofauth-vault-plus.<name>` as for an installed
 * community package.
 */
import axios, { type AxiosInstance } from 'axios';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { N8nRuntime } from './n8n-runtime';
import { setupOwner, type OwnerDetails } from './n8n/rest';
import { cleanEnv, commandError, freePort, run as runProcess, runChecked, start, type CommandResult } from './process';

export { listedNodeTypes, listSearch, NODE_TYPE, testCredential, type OwnerDetails } from './n8n/rest';

const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
/** Fixed, test-only: credentials imported in one command must decrypt in the next. */
const TEST_ENCRYPTION_KEY = 'ofauth-vault-plus-e2e-not-a-secret';

/** `npm run build` (unless skipped), then `npm pack` into a fresh tmp dir; returns the tarball's path. */
export async function packPackage(repoRoot: string, opts: { log?: (line: string) => void; skipBuild?: boolean } = {}): Promise<string> {
	const log = opts.log ?? (() => undefined);
	const env = cleanEnv();
	if (!opts.skipBuild) {
		log('npm run build');
		await runChecked('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	log(`npm pack --pack-destination ${destination}`);
	const pack = await runChecked('npm', ['pack', '--json', '--pack-destination', destination], { cwd: repoRoot, env });
	const filename = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>)[0]?.filename;
	if (!filename) throw commandError('npm pack (no tarball named in its output)', pack);
	return path.join(destination, path.basename(filename));
}

type RunError = Record<string, unknown> & { message?: string; name?: string };
/** The parts of n8n's IRun that the checks use; the rest is there too (typed loosely on purpose). */
export interface N8nRunLike {
	status?: string;
	data: {
		resultData: {
			error?: RunError;
			runData: Record<
				string,
				Array<{
					error?: RunError;
					data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> };
				}>
			>;
		};
	};
	[key: string]: unknown;
}

/**
 * The IRun among the log lines `n8n execute --rawOutput` prints. Both versions print it as
 * JSON.stringify(run, null, 2): a line `{`, indented lines (strings cannot hold a raw newline), a line `}`.
 */
function parseRun(stdout: string): N8nRunLike | undefined {
	for (const { index } of stdout.matchAll(/^\{$/gm)) {
		try {
			const parsed = JSON.parse(stdout.slice(index, stdout.indexOf('\n}', index) + 2)) as N8nRunLike;
			if (parsed?.data) return parsed;
		} catch {
			// a log line that starts with `{`: try the next
		}
	}
	return undefined;
}

/** Output items (json only) of one node's first run: `nodeOutput(run, 'Vault+ Sync')`. */
export function nodeOutput(run: N8nRunLike | undefined, nodeName: string): Array<Record<string, unknown>> {
	return (run?.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}

export interface RunningN8n {
	/** e.g. http://127.0.0.1:5679 (no trailing slash). */
	url: string;
	port: number;
	pid: number | undefined;
	/** Where the server's stdout and stderr go. */
	logFile: string;
	/** POST /rest/owner/setup (or login, when the folder has its owner already); an axios instance with the auth cookie. */
	setupOwner(owner: OwnerDetails): Promise<AxiosInstance>;
	/** SIGTERM, then SIGKILL after 10 s. */
	stop(): Promise<void>;
}

type Env = { env?: Record<string, string> };
export interface N8nInstance {
	runtime: N8nRuntime;
	/** N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
	userFolder: string;
	/** The complete environment every n8n command gets. */
	env: NodeJS.ProcessEnv;
	/** Any n8n CLI command, e.g. run(['export:workflow', '--all']). Never throws on a non-zero exit. */
	run(args: string[], opts?: Env): Promise<CommandResult>;
	/** `n8n import:credentials`; plain `data` gets encrypted. Throws when n8n fails. */
	importCredentials(creds: object[]): Promise<void>;
	importWorkflows(workflows: object[]): Promise<void>;
	/** `n8n execute --id=<id> --rawOutput`: exit 0 on success, 1 when the workflow failed. */
	execute(workflowId: string, opts?: Env): Promise<CommandResult & { run?: N8nRunLike }>;
	/** `n8n start` on 127.0.0.1 (port: given, or a free one), resolved when n8n has finished starting. */
	start(opts?: { port?: number }): Promise<RunningN8n>;
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
	opts: { logLevel?: 'warn' | 'info'; env?: Record<string, string>; log?: (line: string) => void } = {},
): Promise<N8nInstance> {
	const log = opts.log ?? (() => undefined);
	const userFolder = await fsp.mkdtemp(path.join(os.tmpdir(), `ofauth-n8n-${runtime.name}-`));
	const packageDir = path.join(userFolder, '.n8n', 'custom', 'node_modules', PACKAGE_NAME);
	await fsp.mkdir(packageDir, { recursive: true });
	await runChecked('tar', ['-xzf', tarball, '--strip-components=1', '-C', packageDir]);
	if (!existsSync(path.join(packageDir, 'package.json'))) throw new Error(`${tarball} did not unpack to a package (no package.json in ${packageDir})`);

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
	let inputs = 0;
	// Each command gets its own task-broker port, so two instances (or a server and a CLI command of
	// the same instance) never fight over the default 5679.
	const run: N8nInstance['run'] = async (args, runOpts = {}) =>
		runProcess(runtime.nodeBin, [runtime.n8nMain, ...args], {
			cwd: userFolder,
			env: { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...runOpts.env },
			timeoutMs: 180_000,
		});

	async function importChecked(kind: 'credentials' | 'workflow', content: object[]): Promise<void> {
		const file = path.join(userFolder, `${kind}-${++inputs}.json`);
		await fsp.writeFile(file, JSON.stringify(content, null, 2));
		log(`n8n import:${kind} (${content.length})`);
		const result = await run([`import:${kind}`, `--input=${file}`]);
		// Older CLIs exit 0 after printing "An error occurred while importing …": check both.
		if (result.exitCode !== 0 || /error occurred while importing/i.test(result.stdout + result.stderr)) {
			throw commandError(`n8n import:${kind}`, result);
		}
	}

	async function startServer(port: number): Promise<RunningN8n> {
		const url = `http://127.0.0.1:${port}`;
		const logFile = path.join(userFolder, `n8n-start-${port}.log`);
		const serverEnv = {
			...env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: 'localhost',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			// The editor's origin for CORS/CSRF-style checks and links in emails.
			N8N_EDITOR_BASE_URL: url,
		};
		log(`n8n start on ${url} (log: ${logFile})`);
		const started = Date.now();
		const child = start(runtime.nodeBin, [runtime.n8nMain, 'start'], { cwd: userFolder, env: serverEnv, logFile });
		// Also when n8n dies on its own, so that start() can be called again.
		void child.done.then(() => (server = undefined));
		const stop = async () => {
			await child.stop(10_000);
			server = undefined;
		};
		try {
			await waitForReady(url, 90_000, () => child.exited());
		} catch (error) {
			await stop();
			throw new Error(`${(error as Error).message}\nn8n log (${logFile}), last lines:\n${child.tail(40)}`);
		}
		log(`n8n is up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
		return { url, port, pid: child.pid, logFile, setupOwner: (owner) => setupOwner(url, owner), stop };
	}

	return {
		runtime,
		userFolder,
		env,
		run,
		importCredentials: (creds) => importChecked('credentials', creds),
		importWorkflows: (workflows) => importChecked('workflow', workflows),
		async execute(workflowId, execOpts = {}) {
			log(`n8n execute --id=${workflowId}`);
			// `execute` prints the IRun through n8n's logger at level info (BaseCommand.log → logger.info),
			// so a quieter N8N_LOG_LEVEL would swallow it.
			const result = await run(['execute', `--id=${workflowId}`, '--rawOutput'], { env: { N8N_LOG_LEVEL: 'info', ...execOpts.env } });
			return { ...result, run: parseRun(result.stdout) };
		},
		async start(startOpts = {}) {
			if (server) throw new Error(`n8n is already running at ${server.url} for ${userFolder}`);
			server = await startServer(startOpts.port ?? (await freePort()));
			return server;
		},
		async cleanup() {
			await server?.stop();
			await fsp.rm(userFolder, { recursive: true, force: true });
		},
	};
}

/**
 * /healthz answers as soon as the HTTP server listens. Until n8n has finished starting (migrations,
 * node loading, REST controllers) every other path answers 200 text/html "n8n is starting up.
 * Please wait", so readiness is /rest/settings (public) answering 200 with JSON.
 */
async function waitForReady(url: string, timeoutMs: number, exited: () => boolean): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (const probe of ['/healthz', '/rest/settings']) {
		for (;;) {
			if (exited()) throw new Error(`n8n start exited before ${probe} answered`);
			if (Date.now() > deadline) throw new Error(`n8n start: ${url}${probe} did not answer 200 within ${Math.round(timeoutMs / 1000)} s`);
			const response = await axios.get(`${url}${probe}`, { timeout: 2_000, validateStatus: () => true }).catch(() => undefined);
			if (response?.status === 200 && /json/i.test(String(response.headers['content-type']))) break;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

/**
 * 2.x: `n8n publish:workflow` (what the editor's Publish button stores); 1.x: `n8n update:workflow
 * --active=true`. Both change the database only, so they run before `n8n start`, which then activates
 * the workflow. Both log a failure and still exit 0, so their output is read.
 */
export async function publishWorkflow(instance: N8nInstance, workflowId: string): Promise<void> {
	const twoX = instance.runtime.n8nVersion.startsWith('2.');
	const args = twoX ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
	const result = await instance.run(args, { env: { N8N_LOG_LEVEL: 'info' } });
	const output = `${result.stdout}\n${result.stderr}`;
	const done = twoX ? /Publishing workflow with ID/ : /Activating workflow with ID/;
	// Both print "Error updating database…" from their catch (the workflow id may itself say "Error").
	if (result.exitCode !== 0 || !done.test(output) || /Error updating database/i.test(output)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.exitCode}):\n${output.trim()}`);
	}
}
