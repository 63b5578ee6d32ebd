/**
 * Drives a real n8n from ./n8n-runtime.ts (CLI, `n8n start`, REST API) with `npm pack`'s tarball unpacked in a throwaway
 * N8N_USER_FOLDER's .n8n/custom/ (type CUSTOM.vaultPlusSync); a symlink would add a 2nd n8n-workflow: instanceof fails.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IRun } from 'n8n-workflow';

import type { N8nRuntime } from './n8n-runtime';
import { cleanEnv, commandError, freePort, run as runProcess, runChecked, start, until, type CommandResult } from './process';

export type OwnerDetails = { email: string; password: string; firstName: string; lastName: string };

/** n8n wraps REST answers as {data: …}. */
export const unwrap = <T>(body: unknown): T => (body && typeof body === 'object' && 'data' in body ? body.data : body) as T;

/** An axios instance for `baseURL` that keeps the cookies n8n sets (n8n-auth is refreshed on some answers); errors show the body. */
function createApi(baseURL: string): AxiosInstance {
	const jar = new Map<string, string>();
	// Any constant browser-id: n8n binds the auth cookie to a hash of this header when it is sent at login.
	const api = axios.create({ baseURL, timeout: 60_000, headers: { 'browser-id': 'ofauth-vault-plus-e2e-browser' } });
	const adopt = (response: AxiosResponse) => {
		for (const cookie of response.headers['set-cookie'] ?? []) jar.set(cookie.split('=')[0], cookie.split(';')[0]);
		// n8n clears a cookie (logout) by sending it empty ("n8n-auth=; Expires=<past>"): those are left out.
		api.defaults.headers.common.Cookie = [...jar].filter(([name, pair]) => pair !== `${name}=`).map(([, pair]) => pair).join('; ');
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
	const refused = await api.post('/rest/owner/setup', owner).then(() => undefined, (error: Error) => error);
	if (!refused) return api;
	if (!/→ 400: .*already/i.test(refused.message)) throw refused;
	// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
	await api.post('/rest/login', { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password });
	return api;
}

/** One execution as GET /rest/executions lists it; mode 'trigger' for a schedule, 'error' for an error workflow. */
export type ExecutionSummary = { id: string; mode: string; status: string };

/** The workflow's stored executions (up to 100), oldest first; 1.123.81 and 2.41.1 alike answer {data: {results}}. */
export async function listExecutions(api: AxiosInstance, workflowId: string): Promise<ExecutionSummary[]> {
	const response = await api.get('/rest/executions', { params: { filter: JSON.stringify({ workflowId }), limit: 100 } });
	const { results } = unwrap<{ results: ExecutionSummary[] }>(response.data);
	return results.map((execution) => ({ ...execution, id: String(execution.id) })).sort((a, b) => Number(a.id) - Number(b.id));
}

/** `npm run build` (unless skipped), then `npm pack` into a fresh tmp dir; returns the tarball's path. */
export async function packPackage(repoRoot: string, opts: { log?: (line: string) => void; skipBuild?: boolean } = {}): Promise<string> {
	if (!opts.skipBuild) {
		opts.log?.('npm run build');
		await runChecked('npm', ['run', 'build'], { cwd: repoRoot, env: cleanEnv(), timeoutMs: 300_000 });
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	opts.log?.(`npm pack --pack-destination ${destination}`);
	await runChecked('npm', ['pack', '--pack-destination', destination], { cwd: repoRoot, env: cleanEnv() });
	return path.join(destination, (await fsp.readdir(destination))[0]);
}

/** n8n's IRun as `n8n execute --rawOutput` prints it (JSON: dates are strings, errors plain objects). */
export type N8nRunLike = IRun;

/** The IRun among the log lines `n8n execute --rawOutput` prints: JSON.stringify(run, null, 2), from a line `{` to a line `}`. */
function parseRun(stdout: string): N8nRunLike | undefined {
	const parsed = (stdout.match(/^\{$[\s\S]*?^\}$/gm) ?? []).map((json) => {
		try {
			return JSON.parse(json) as N8nRunLike;
		} catch {
			return undefined; // another log line's `{`
		}
	});
	return parsed.find((run) => run?.data);
}

/** Output items (json only) of one node's first run: `nodeOutput(run, 'Vault+ Sync')`. */
export function nodeOutput(run: N8nRunLike | undefined, nodeName: string): Array<Record<string, unknown>> {
	return (run?.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}

type FolderOptions = { logLevel?: 'warn' | 'info'; env?: Record<string, string>; log?: (line: string) => void };
/** A throwaway N8N_USER_FOLDER with the packed package in .n8n/custom/. */
export async function createUserFolder(runtime: N8nRuntime, tarball: string, opts: FolderOptions = {}): Promise<N8nInstance> {
	const userFolder = await fsp.mkdtemp(path.join(os.tmpdir(), `ofauth-n8n-${runtime.name}-`));
	const packageDir = path.join(userFolder, '.n8n', 'custom', 'node_modules', 'n8n-nodes-ofauth-vault-plus');
	await fsp.mkdir(packageDir, { recursive: true });
	await runChecked('tar', ['-xzf', tarball, '--strip-components=1', '-C', packageDir]);
	// Not inherited: shell settings that change what n8n does, and NODE_ENV=test (jest's), which silences the run's log.
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
		// 1.x warns that running without task runners (2.x: always on) or an SQLite read pool (WAL) is deprecated.
		...(runtime.n8nVersion.startsWith('1.') ? { N8N_RUNNERS_ENABLED: 'true' } : {}),
		DB_SQLITE_POOL_SIZE: '2',
		GENERIC_TIMEZONE: 'UTC',
		...runtime.env,
		...opts.env,
	}, inherited);
	return new N8nInstance(runtime, userFolder, env, opts.log ?? (() => undefined));
}

export type RunningN8n = Awaited<ReturnType<N8nInstance['start']>>;

/** The n8n CLI and server of one user folder (N8N_USER_FOLDER: n8n keeps its data in <userFolder>/.n8n). */
export class N8nInstance {
	private stopServer?: () => Promise<void>;
	private inputs = 0;

	constructor(
		readonly runtime: N8nRuntime,
		readonly userFolder: string,
		/** The complete environment every n8n command gets. */
		readonly env: NodeJS.ProcessEnv,
		private readonly log: (line: string) => void,
	) {}

	/** Any n8n CLI command, e.g. run(['export:workflow', '--all']). Never throws on a non-zero exit. */
	async run(args: string[], opts: { env?: Record<string, string> } = {}): Promise<CommandResult> {
		// Each command and server gets its own task-broker port, so none fights another over the default 5679.
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...opts.env };
		this.log(`n8n ${args.join(' ')}`);
		return await runProcess(this.runtime.nodeBin, [this.runtime.n8nMain, ...args], { cwd: this.userFolder, env, timeoutMs: 180_000 });
	}

	/** `n8n import:credentials`; plain `data` gets encrypted. Throws when n8n fails. */
	importCredentials = (credentials: object[]) => this.importChecked('credentials', credentials);
	importWorkflows = (workflows: object[]) => this.importChecked('workflow', workflows);

	private async importChecked(kind: 'credentials' | 'workflow', content: object[]): Promise<void> {
		const file = path.join(this.userFolder, `${kind}-${++this.inputs}.json`);
		await fsp.writeFile(file, JSON.stringify(content, null, 2));
		const result = await this.run([`import:${kind}`, `--input=${file}`]);
		// Older CLIs exit 0 after printing "An error occurred while importing …": check both.
		if (result.exitCode !== 0 || /error occurred while importing/i.test(result.stdout + result.stderr)) {
			throw commandError(`n8n import:${kind}`, result);
		}
	}

	/** `n8n execute --id=<id> --rawOutput`: exit 0 on success, 1 when the workflow failed. */
	async execute(workflowId: string, opts: { env?: Record<string, string> } = {}): Promise<CommandResult & { run?: N8nRunLike }> {
		// `execute` prints the IRun through n8n's logger at level info, which a quieter level would swallow.
		const result = await this.run(['execute', `--id=${workflowId}`, '--rawOutput'], { env: { N8N_LOG_LEVEL: 'info', ...opts.env } });
		return { ...result, run: parseRun(result.stdout) };
	}

	/**
	 * `n8n start` on 127.0.0.1 (given port or a free one) once it has started; logFile holds its output. setupOwner: POST
	 * /rest/owner/setup (or login when the folder has its owner) → axios with the auth cookie; stop: SIGTERM, SIGKILL after 10 s.
	 */
	async start(opts: { port?: number } = {}) {
		const port = opts.port ?? (await freePort());
		const url = `http://127.0.0.1:${port}`;
		const logFile = path.join(this.userFolder, `n8n-start-${port}.log`);
		// N8N_EDITOR_BASE_URL: the editor's origin for CORS/CSRF-style checks and links in emails.
		const server = { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_SECURE_COOKIE: 'false', N8N_EDITOR_BASE_URL: url };
		const env = { ...this.env, ...server, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		const started = Date.now();
		const child = start(this.runtime.nodeBin, [this.runtime.n8nMain, 'start'], { cwd: this.userFolder, env, logFile });
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
		this.log(`n8n start: up on ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${logFile})`);
		this.stopServer = stop;
		return { url, port, logFile, setupOwner: (owner: OwnerDetails) => setupOwner(url, owner), stop };
	}

	/** Stops a server still running and removes the user folder. */
	async cleanup(): Promise<void> {
		await this.stopServer?.();
		await fsp.rm(this.userFolder, { recursive: true, force: true });
	}
}

// 2.x: `n8n publish:workflow` (the editor's Publish button), 1.x: `n8n update:workflow --active=true`. Both only change
// the database (run them before `n8n start`) and exit 0 on failure: their output is read.
export async function publishWorkflow(instance: N8nInstance, workflowId: string): Promise<void> {
	const twoX = instance.runtime.n8nVersion.startsWith('2.');
	const args = twoX ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
	const result = await instance.run(args, { env: { N8N_LOG_LEVEL: 'info' } });
	const output = `${result.stdout}\n${result.stderr}`;
	// Both print "Error updating database…" from their catch (the workflow id may itself say "Error").
	if (result.exitCode !== 0 || !/(Publishing|Activating) workflow with ID/.test(output) || /Error updating database/i.test(output)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.exitCode}):\n${output.trim()}`);
	}
}
