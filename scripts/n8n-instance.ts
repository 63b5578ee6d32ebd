/**
 * Drives a real n8n (a runtime from ./n8n-runtime.ts) with this package installed as a user gets it:
 * the `npm pack` tarball unpacked into a throwaway N8N_USER_FOLDER's .n8n/custom/ (so the node type is
 * CUSTOM.vaultPlusSync), then the CLI (import, execute), `n8n start` and its REST API as the editor signs in.
 * Not a symlink to the dev folder: its node_modules/n8n-workflow would break `instanceof NodeApiError`.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { N8nRuntime } from './n8n-runtime';
import { cleanEnv, commandError, freePort, run as runProcess, runChecked, start, until, type CommandResult } from './process';

export type OwnerDetails = { email: string; password: string; firstName: string; lastName: string };

/** n8n wraps REST answers as {data: …}. */
export const unwrap = <T>(body: unknown): T =>
	(body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;

/** An axios instance for `baseURL` that keeps the cookies n8n sets (n8n-auth is refreshed on some answers); errors show the body. */
function createApi(baseURL: string): AxiosInstance {
	const jar = new Map<string, string>();
	// Any constant browser-id: n8n binds the auth cookie to a hash of this header when it is sent at login.
	const api = axios.create({ baseURL, timeout: 60_000, headers: { 'browser-id': 'ofauth-vault-plus-e2e-browser' } });
	const adopt = (response: AxiosResponse) => {
		for (const cookie of response.headers['set-cookie'] ?? []) jar.set(cookie.split('=')[0], cookie.split(';')[0]);
		api.defaults.headers.common.Cookie = [...jar.values()].join('; ');
		return response;
	};
	api.interceptors.response.use(adopt, (error) => {
		if (error?.response) {
			const { status, config, data } = adopt(error.response as AxiosResponse);
			error.message = `${config?.method?.toUpperCase()} ${config?.url} → ${status}: ${String(JSON.stringify(data)).slice(0, 500)}`;
		}
		return Promise.reject(error);
	});
	return api;
}

/** POST /rest/owner/setup at `url`; when the user folder has its owner already, that owner logs in. */
async function setupOwner(url: string, owner: OwnerDetails): Promise<AxiosInstance> {
	const api = createApi(url);
	try {
		await api.post('/rest/owner/setup', owner);
		return api;
	} catch (error) {
		if (!/→ 400: .*already/i.test((error as Error).message)) throw error;
	}
	// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
	await api.post('/rest/login', { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password });
	return api;
}

/** `npm run build` (unless skipped), then `npm pack` into a fresh tmp dir; returns the tarball's path. */
export async function packPackage(repoRoot: string, opts: { log?: (line: string) => void; skipBuild?: boolean } = {}): Promise<string> {
	const env = cleanEnv();
	if (!opts.skipBuild) {
		opts.log?.('npm run build');
		await runChecked('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	opts.log?.(`npm pack --pack-destination ${destination}`);
	await runChecked('npm', ['pack', '--pack-destination', destination], { cwd: repoRoot, env });
	return path.join(destination, (await fsp.readdir(destination))[0]);
}

type RunError = Record<string, unknown> & { message?: string; name?: string };
type TaskData = { error?: RunError; data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> } };
/** The parts of n8n's IRun that the checks use; the rest is there too (typed loosely on purpose). */
export interface N8nRunLike {
	status?: string;
	data: { resultData: { error?: RunError; runData: Record<string, TaskData[]> } };
	[key: string]: unknown;
}

/** The IRun among the log lines `n8n execute --rawOutput` prints: JSON.stringify(run, null, 2), from a line `{` to a line `}`. */
function parseRun(stdout: string): N8nRunLike | undefined {
	for (const { index } of stdout.matchAll(/^\{$/gm)) {
		try {
			const parsed = JSON.parse(stdout.slice(index, stdout.indexOf('\n}', index) + 2)) as N8nRunLike;
			if (parsed?.data) return parsed;
		} catch {
			// not the run: try the next `{`
		}
	}
	return undefined;
}

/** Output items (json only) of one node's first run: `nodeOutput(run, 'Vault+ Sync')`. */
export function nodeOutput(run: N8nRunLike | undefined, nodeName: string): Array<Record<string, unknown>> {
	return (run?.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}

/** A server from N8nInstance.start(): its url (http://127.0.0.1:<port>, no trailing slash), its stdout and stderr in logFile. */
export interface RunningN8n {
	url: string;
	port: number;
	logFile: string;
	/** POST /rest/owner/setup (or login, when the folder has its owner already): an axios instance with the auth cookie. */
	setupOwner(owner: OwnerDetails): Promise<AxiosInstance>;
	/** SIGTERM, then SIGKILL after 10 s. */
	stop(): Promise<void>;
}

/** A throwaway N8N_USER_FOLDER with the packed package in .n8n/custom/. */
export async function createUserFolder(
	runtime: N8nRuntime,
	tarball: string,
	opts: { logLevel?: 'warn' | 'info'; env?: Record<string, string>; log?: (line: string) => void } = {},
): Promise<N8nInstance> {
	const userFolder = await fsp.mkdtemp(path.join(os.tmpdir(), `ofauth-n8n-${runtime.name}-`));
	const packageDir = path.join(userFolder, '.n8n', 'custom', 'node_modules', 'n8n-nodes-ofauth-vault-plus');
	await fsp.mkdir(packageDir, { recursive: true });
	await runChecked('tar', ['-xzf', tarball, '--strip-components=1', '-C', packageDir]);
	// Dropped from the inherited environment: settings a shell could carry that change what n8n does;
	// NODE_ENV=test (jest's) silences the log that prints the run.
	const inherited = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$|WEBHOOK_URL$|NODE_ENV$)/;
	const env = cleanEnv({
		N8N_USER_FOLDER: userFolder,
		// Fixed, test-only: credentials imported in one command must decrypt in the next.
		N8N_ENCRYPTION_KEY: 'ofauth-vault-plus-e2e-not-a-secret',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: opts.logLevel ?? 'warn',
		// 1.x warns that running without task runners is deprecated (2.x always runs them and warns that
		// the variable is no longer needed), and that SQLite without a read pool (which means WAL) is too.
		...(runtime.n8nVersion.startsWith('1.') ? { N8N_RUNNERS_ENABLED: 'true' } : {}),
		DB_SQLITE_POOL_SIZE: '2',
		GENERIC_TIMEZONE: 'UTC',
		...runtime.env,
		...opts.env,
	}, inherited);
	return new N8nInstance(runtime, userFolder, env, opts.log ?? (() => undefined));
}

/** The n8n CLI and server of one user folder. */
export class N8nInstance {
	private server: RunningN8n | undefined;
	private inputs = 0;

	constructor(
		readonly runtime: N8nRuntime,
		/** N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
		readonly userFolder: string,
		/** The complete environment every n8n command gets. */
		readonly env: NodeJS.ProcessEnv,
		private readonly log: (line: string) => void,
	) {}

	/** Any n8n CLI command, e.g. run(['export:workflow', '--all']). Never throws on a non-zero exit. */
	async run(args: string[], opts: { env?: Record<string, string> } = {}): Promise<CommandResult> {
		// Each command and server gets its own task-broker port, so none fights another over the default 5679.
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...opts.env };
		return await runProcess(this.runtime.nodeBin, [this.runtime.n8nMain, ...args], { cwd: this.userFolder, env, timeoutMs: 180_000 });
	}

	/** `n8n import:credentials`; plain `data` gets encrypted. Throws when n8n fails. */
	importCredentials = (credentials: object[]) => this.importChecked('credentials', credentials);
	importWorkflows = (workflows: object[]) => this.importChecked('workflow', workflows);

	private async importChecked(kind: 'credentials' | 'workflow', content: object[]): Promise<void> {
		const file = path.join(this.userFolder, `${kind}-${++this.inputs}.json`);
		await fsp.writeFile(file, JSON.stringify(content, null, 2));
		this.log(`n8n import:${kind} (${content.length})`);
		const result = await this.run([`import:${kind}`, `--input=${file}`]);
		// Older CLIs exit 0 after printing "An error occurred while importing …": check both.
		if (result.exitCode !== 0 || /error occurred while importing/i.test(result.stdout + result.stderr)) {
			throw commandError(`n8n import:${kind}`, result);
		}
	}

	/** `n8n execute --id=<id> --rawOutput`: exit 0 on success, 1 when the workflow failed. */
	async execute(workflowId: string, opts: { env?: Record<string, string> } = {}): Promise<CommandResult & { run?: N8nRunLike }> {
		this.log(`n8n execute --id=${workflowId}`);
		// `execute` prints the IRun through n8n's logger at level info, which a quieter level would swallow.
		const result = await this.run(['execute', `--id=${workflowId}`, '--rawOutput'], { env: { N8N_LOG_LEVEL: 'info', ...opts.env } });
		return { ...result, run: parseRun(result.stdout) };
	}

	/** `n8n start` on 127.0.0.1 (port: given, or a free one), resolved when n8n has finished starting. */
	async start(opts: { port?: number } = {}): Promise<RunningN8n> {
		if (this.server) throw new Error(`n8n is already running at ${this.server.url} for ${this.userFolder}`);
		const port = opts.port ?? (await freePort());
		const url = `http://127.0.0.1:${port}`;
		const logFile = path.join(this.userFolder, `n8n-start-${port}.log`);
		// N8N_EDITOR_BASE_URL: the editor's origin for CORS/CSRF-style checks and links in emails.
		const server = { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_SECURE_COOKIE: 'false', N8N_EDITOR_BASE_URL: url };
		const env = { ...this.env, ...server, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		this.log(`n8n start on ${url} (log: ${logFile})`);
		const started = Date.now();
		const child = start(this.runtime.nodeBin, [this.runtime.n8nMain, 'start'], { cwd: this.userFolder, env, logFile });
		// Also when n8n dies on its own, so that start() can be called again.
		void child.done.then(() => (this.server = undefined));
		const stop = async () => void (await child.stop(10_000));
		try {
			// Until n8n has finished starting (migrations, nodes, REST controllers) every path but /healthz answers
			// 200 text/html "n8n is starting up. Please wait", so ready is /rest/settings (public) answering JSON.
			await until(`${url}/rest/settings to answer 200 with JSON`, 90_000, async () => {
				if (child.exited()) throw new Error('n8n start exited before it was ready');
				const response = await axios.get(`${url}/rest/settings`, { timeout: 2_000, validateStatus: () => true }).catch(() => undefined);
				return response?.status === 200 && /json/i.test(String(response.headers['content-type'])) ? true : undefined;
			});
		} catch (error) {
			await stop();
			throw new Error(`${(error as Error).message}\nn8n log (${logFile}), last lines:\n${child.tail(40)}`);
		}
		this.log(`n8n is up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
		this.server = { url, port, logFile, setupOwner: (owner) => setupOwner(url, owner), stop };
		return this.server;
	}

	/** Stops a server still running and removes the user folder. */
	async cleanup(): Promise<void> {
		await this.server?.stop();
		await fsp.rm(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * 2.x: `n8n publish:workflow` (what the editor's Publish button stores); 1.x: `n8n update:workflow --active=true`.
 * Both only change the database (run them before `n8n start` activates it) and exit 0 on failure: their output is read.
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
