/**
 * Drives a real n8n (a runtime from ./n8n-runtime.ts) with this package installed the way a user
 * gets it: the `npm pack` tarball, unpacked into a throwaway N8N_USER_FOLDER.
 *
 *   const runtime = await ensureRuntime('n8n2');
 *   const tarball = await packPackage(repoRoot);
 *   const n8n = await createUserFolder(runtime, tarball);
 *   await n8n.importCredentials([...]); await n8n.importWorkflows([...]);
 *   const { exitCode, run } = await n8n.execute('wfId');
 *   const server = await n8n.start(); const api = await server.setupOwner(OWNER);
 *   await listSearch(api, { methodName: 'searchConnections', ... }); await testCredential(api, {...});
 *   await server.stop(); await n8n.cleanup();
 *
 * Why the tarball and not a symlink to the dev folder: the dev folder has its own
 * node_modules/n8n-workflow, so `instanceof NodeApiError` across the two copies fails and n8n's
 * error handling changes. The packed copy has no node_modules and resolves n8n's own n8n-workflow.
 *
 * The package lands in $N8N_USER_FOLDER/.n8n/custom/…, which n8n loads with its CustomDirectoryLoader:
 * node types are then `CUSTOM.<name>` (CUSTOM.vaultPlusSync, and CUSTOM.vaultPlusSyncTool for the
 * AI-tool variant), not `n8n-nodes-ofauth-vault-plus.<name>` as for an installed community package.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { N8nRuntime } from './n8n-runtime';

export const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
export const NODE_TYPE = 'CUSTOM.vaultPlusSync';
export const TOOL_NODE_TYPE = 'CUSTOM.vaultPlusSyncTool';
export const CREDENTIAL_TYPE = 'ofAuthApi';
/** Fixed, test-only: credentials imported in one command must decrypt in the next. */
export const TEST_ENCRYPTION_KEY = 'ofauth-vault-plus-e2e-not-a-secret';
/** Any constant: n8n binds the auth cookie to a hash of this header when it is sent at login. */
const BROWSER_ID = 'ofauth-vault-plus-e2e-browser';

const DEFAULT_COMMAND_TIMEOUT_MS = 180_000;
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

export interface CommandResult {
	command: string[];
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

/** The parts of n8n's IRun that the checks use; the rest is there too (typed loosely on purpose). */
export interface N8nRunLike {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			error?: Record<string, unknown> & { message?: string; name?: string };
			lastNodeExecuted?: string;
			runData: Record<
				string,
				Array<{
					error?: Record<string, unknown> & { message?: string; name?: string };
					executionStatus?: string;
					data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> };
				}>
			>;
		};
	};
	[key: string]: unknown;
}

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

export interface OwnerDetails {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export interface RunningN8n {
	/** e.g. http://127.0.0.1:5679 (no trailing slash). */
	url: string;
	port: number;
	pid: number | undefined;
	/** Where the server's stdout and stderr go. */
	logFile: string;
	/** The last lines the server printed. */
	recentLog(lines?: number): string[];
	/**
	 * POST /rest/owner/setup, and an axios instance carrying the auth cookie (baseURL = url).
	 * If an owner already exists (a reused user folder) it logs in with the same details instead.
	 */
	setupOwner(owner: OwnerDetails): Promise<AxiosInstance>;
	/** POST /rest/login with an existing user; an axios instance carrying the auth cookie. */
	login(owner: Pick<OwnerDetails, 'email' | 'password'>): Promise<AxiosInstance>;
	/** SIGTERM, then SIGKILL after 10 s. */
	stop(): Promise<void>;
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

// ---------------------------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------------------------

/**
 * `npm run build`, then `npm pack --pack-destination <fresh tmp dir>`; returns the tarball's path.
 * The tmp dir is the caller's to remove (path.dirname(tarball)).
 */
export async function packPackage(
	repoRoot: string,
	opts: { log?: (line: string) => void; skipBuild?: boolean } = {},
): Promise<string> {
	const log = opts.log ?? (() => undefined);
	const env = withoutNpmRunState(process.env);
	if (!opts.skipBuild) {
		log('npm run build');
		const build = await runProcess('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
		if (build.exitCode !== 0) throw commandError('npm run build', build);
	}
	const destination = await fsp.mkdtemp(path.join(os.tmpdir(), 'ofauth-pack-'));
	log(`npm pack --pack-destination ${destination}`);
	const pack = await runProcess('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: repoRoot,
		env,
		timeoutMs: 120_000,
	});
	if (pack.exitCode !== 0) throw commandError('npm pack', pack);
	let filename: string | undefined;
	try {
		const parsed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string }>;
		filename = parsed[0]?.filename;
	} catch {
		filename = (await fsp.readdir(destination)).find((f) => f.endsWith('.tgz'));
	}
	if (!filename) throw commandError('npm pack (no tarball named in its output)', pack);
	const tarball = path.join(destination, path.basename(filename));
	if (!existsSync(tarball)) throw new Error(`npm pack reported ${filename}, but ${tarball} does not exist`);
	return tarball;
}

// ---------------------------------------------------------------------------------------------
// User folder
// ---------------------------------------------------------------------------------------------

/** Env variables a developer's shell could carry that would change what n8n does. */
function isInheritedN8nSetting(key: string): boolean {
	// NODE_ENV=test (set by jest) silences n8n's logger, which prints the run, and breaks `n8n start`.
	return (
		/^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$|WEBHOOK_URL$|NODE_ENV$)/.test(key) || /^npm_/.test(key)
	);
}

function withoutNpmRunState(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(env)) if (!/^npm_/.test(key)) clean[key] = value;
	return clean;
}

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
	const untar = await runProcess('tar', ['-xzf', tarball, '--strip-components=1', '-C', packageDir], {
		timeoutMs: 60_000,
	});
	if (untar.exitCode !== 0) throw commandError(`tar -xzf ${tarball}`, untar);
	if (!existsSync(path.join(packageDir, 'package.json'))) {
		throw new Error(`${tarball} did not unpack to a package (no package.json in ${packageDir})`);
	}
	const scratch = path.join(userFolder, 'e2e-inputs');
	await fsp.mkdir(scratch, { recursive: true });

	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!isInheritedN8nSetting(key)) env[key] = value;
	Object.assign(env, {
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
	});

	let server: RunningN8n | undefined;
	let inputCounter = 0;

	const run: N8nInstance['run'] = async (args, runOpts = {}) => {
		// Each command gets its own task-broker port, so two instances (or a server and a CLI
		// command of the same instance) never fight over the default 5679.
		const brokerPort = await freePort();
		return runProcess(runtime.nodeBin, [runtime.n8nMain, ...args], {
			cwd: userFolder,
			env: { ...env, N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...runOpts.env },
			timeoutMs: runOpts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
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
				timeoutMs: startOpts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
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

/**
 * The IRun JSON of `n8n execute --rawOutput`. Other log lines (task broker and runner warnings,
 * info messages) come before and after it on stdout, so this scans for a balanced top-level
 * `{…}` that parses and has a `data` key, trying each `{` that starts a line (then any `{`).
 */
export function parseRun(stdout: string): N8nRunLike | undefined {
	const starts: number[] = [];
	for (const match of stdout.matchAll(/^\{/gm)) if (match.index !== undefined) starts.push(match.index);
	const firstBrace = stdout.indexOf('{');
	if (firstBrace >= 0 && !starts.includes(firstBrace)) starts.push(firstBrace);
	for (const start of starts) {
		const end = matchingBrace(stdout, start);
		if (end < 0) continue;
		try {
			const parsed = JSON.parse(stdout.slice(start, end + 1)) as N8nRunLike;
			if (parsed && typeof parsed === 'object' && 'data' in parsed) return parsed;
		} catch {
			// not JSON: try the next start
		}
	}
	return undefined;
}

/** Index of the `}` closing the `{` at `start` (JSON string-aware), or -1. */
function matchingBrace(text: string, start: number): number {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
		} else if (ch === '"') inString = true;
		else if (ch === '{' || ch === '[') depth++;
		else if (ch === '}' || ch === ']') {
			depth--;
			if (depth === 0) return ch === '}' ? i : -1;
		}
	}
	return -1;
}

/** Output items (json only) of one node's first run: `nodeOutput(run, 'Vault+ Sync')`. */
export function nodeOutput(run: N8nRunLike | undefined, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
	const task = run?.data.resultData.runData[nodeName]?.[0];
	return (task?.data?.main?.[outputIndex] ?? []).map((item) => item.json);
}

// ---------------------------------------------------------------------------------------------
// n8n start
// ---------------------------------------------------------------------------------------------

interface StartServerOptions {
	runtime: N8nRuntime;
	env: NodeJS.ProcessEnv;
	userFolder: string;
	port?: number;
	timeoutMs: number;
	log: (line: string) => void;
	onStopped: () => void;
}

async function startServer(o: StartServerOptions): Promise<RunningN8n> {
	const port = o.port ?? (await freePort());
	const brokerPort = await freePort([port]);
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(o.userFolder, `n8n-start-${port}.log`);
	const logStream = createWriteStream(logFile, { flags: 'a' });
	const recent: string[] = [];
	let partial = '';
	const onData = (chunk: Buffer) => {
		logStream.write(chunk);
		const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
		partial = lines.pop() ?? '';
		for (const line of lines) {
			recent.push(line);
			if (recent.length > 400) recent.shift();
		}
	};

	const env: NodeJS.ProcessEnv = {
		...o.env,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// The editor's origin for CORS/CSRF-style checks and links in emails.
		N8N_EDITOR_BASE_URL: url,
	};
	o.log(`n8n start on ${url} (log: ${logFile})`);
	const started = Date.now();
	const child = spawn(o.runtime.nodeBin, [o.runtime.n8nMain, 'start'], {
		cwd: o.userFolder,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
	let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exitPromise = new Promise<void>((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			o.onStopped(); // also when n8n dies on its own, so start() can be called again
			resolve();
		});
		child.on('error', (error) => {
			onData(Buffer.from(`\n[spawn error] ${error.message}\n`));
			exited = { code: null, signal: null };
			resolve();
		});
	});
	const tail = (n = 40) => [...recent, ...(partial ? [partial] : [])].slice(-n);

	const stop = async () => {
		if (!exited) {
			child.kill('SIGTERM');
			const killer = setTimeout(() => {
				if (!exited) child.kill('SIGKILL');
			}, STOP_GRACE_MS);
			await exitPromise;
			clearTimeout(killer);
		}
		await new Promise<void>((resolve) => logStream.end(resolve));
		o.onStopped();
	};

	try {
		await waitForReady(url, o.timeoutMs, () => exited, child);
	} catch (error) {
		await stop();
		throw new Error(
			`${(error as Error).message}\nn8n log (${logFile}), last lines:\n${tail(40).join('\n')}`,
		);
	}
	o.log(`n8n is up after ${((Date.now() - started) / 1000).toFixed(1)} s`);

	const running: RunningN8n = {
		url,
		port,
		pid: child.pid,
		logFile,
		recentLog: (n = 40) => tail(n),
		async setupOwner(owner) {
			const api = createApi(url);
			const response = await api.post('/rest/owner/setup', owner, { validateStatus: () => true });
			if (response.status === 200) {
				adoptCookies(api, response);
				return api;
			}
			// A reused user folder already has its owner: log in instead.
			if (response.status === 400 && /already/i.test(JSON.stringify(response.data))) {
				return running.login(owner);
			}
			throw httpError('POST /rest/owner/setup', response);
		},
		async login(user) {
			const api = createApi(url);
			// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
			const response = await api.post(
				'/rest/login',
				{ emailOrLdapLoginId: user.email, email: user.email, password: user.password },
				{ validateStatus: () => true },
			);
			if (response.status !== 200) throw httpError('POST /rest/login', response);
			adoptCookies(api, response);
			return api;
		},
		stop,
	};
	return running;
}

async function waitForReady(
	url: string,
	timeoutMs: number,
	exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined,
	child: ChildProcess,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	// /healthz answers as soon as the HTTP server listens. Until n8n has finished starting (migrations,
	// node loading, REST controllers) every other path answers 200 text/html "n8n is starting up.
	// Please wait", so readiness is /rest/settings (public) answering 200 with JSON.
	for (const probe of ['/healthz', '/rest/settings']) {
		for (;;) {
			const state = exited();
			if (state) {
				throw new Error(`n8n start (pid ${child.pid}) exited with ${state.code ?? state.signal} before ${probe} answered`);
			}
			if (Date.now() > deadline) {
				throw new Error(`n8n start: ${url}${probe} did not answer 200 within ${Math.round(timeoutMs / 1000)} s`);
			}
			try {
				const response = await axios.get(`${url}${probe}`, { timeout: 2_000, validateStatus: () => true });
				if (response.status === 200 && /json/i.test(String(response.headers['content-type']))) break;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

// ---------------------------------------------------------------------------------------------
// REST helpers
// ---------------------------------------------------------------------------------------------

function createApi(baseURL: string): AxiosInstance {
	const api = axios.create({
		baseURL,
		timeout: 60_000,
		headers: { 'browser-id': BROWSER_ID, 'content-type': 'application/json' },
		maxContentLength: 200 * 1024 * 1024,
	});
	// A one-host cookie jar: keep whatever n8n sets (n8n-auth is refreshed on some responses).
	api.interceptors.response.use(
		(response) => {
			adoptCookies(api, response);
			return response;
		},
		(error) => {
			if (error?.response) {
				adoptCookies(api, error.response);
				const { status, config, data } = error.response as AxiosResponse;
				error.message = `${config?.method?.toUpperCase()} ${config?.url} → ${status}: ${truncate(JSON.stringify(data), 500)}`;
			}
			return Promise.reject(error);
		},
	);
	return api;
}

const jars = new WeakMap<AxiosInstance, Map<string, string>>();

function adoptCookies(api: AxiosInstance, response: AxiosResponse): void {
	const setCookie = response.headers['set-cookie'];
	if (!setCookie || setCookie.length === 0) return;
	const jar = jars.get(api) ?? new Map<string, string>();
	jars.set(api, jar);
	for (const cookie of setCookie) {
		const [pair] = cookie.split(';');
		const eq = pair.indexOf('=');
		if (eq <= 0) continue;
		const name = pair.slice(0, eq).trim();
		const value = pair.slice(eq + 1).trim();
		if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
		else jar.set(name, value);
	}
	api.defaults.headers.common.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** n8n wraps REST answers as {data: …}. */
function unwrap<T>(body: unknown): T {
	return (body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;
}

export interface ListSearchRequest {
	/** The listSearch method, e.g. 'searchConnections' or 'searchVaultLists'. */
	methodName: string;
	/** The resource-locator parameter, as the editor names it: 'parameters.<name>'. Default: parameters.connectionId for searchConnections, parameters.listId otherwise. */
	path?: string;
	/** Default NODE_TYPE (CUSTOM.vaultPlusSync) and version 1. */
	nodeType?: string;
	nodeVersion?: number;
	/** The node's parameters as the editor holds them (resource locators as {__rl, mode, value}). */
	currentNodeParameters?: Record<string, unknown>;
	/** The node's credentials: { ofAuthApi: { id, name } }. */
	credentials?: Record<string, { id: string | null; name: string }>;
	filter?: string;
	paginationToken?: string;
	/** 2.x (and late 1.x) accept the project whose data tables / credentials to use; optional. */
	projectId?: string;
}

export interface ListSearchResult {
	results: Array<{ name: string; value: string | number; url?: string; [key: string]: unknown }>;
	paginationToken?: string | number;
}

/**
 * What the editor's resource locator sends when its list opens (or is searched / scrolled); the
 * editor builds it in ResourceLocator.vue from the node (type, typeVersion, credentials), the
 * parameter's path and the mode's searchListMethod, after resolving the node's parameters.
 *
 *   POST /rest/dynamic-node-parameters/resource-locator-results      (auth cookie)
 *   {
 *     "nodeTypeAndVersion": { "name": "CUSTOM.vaultPlusSync", "version": 1 },
 *     "path": "parameters.connectionId",
 *     "methodName": "searchConnections",
 *     "currentNodeParameters": {
 *       "connectionId": { "__rl": true, "mode": "list", "value": "" },
 *       "listId": { "__rl": true, "mode": "list", "value": "" },
 *       "options": {}
 *     },
 *     "credentials": { "ofAuthApi": { "id": "ofauthCred000001", "name": "OFAuth sandbox" } },
 *     "filter": "alice",             // only when the user typed in the search box
 *     "paginationToken": "100"       // only when scrolling for the next page
 *   }
 *   → 200 { "data": { "results": [ { "name": "Alice Sandbox (@alice_sbx)", "value": "conn_alice" }, … ],
 *                     "paginationToken": "…" } }      // paginationToken absent on the last page
 *
 * Schema (ResourceLocatorRequestDto, @n8n/api-types): path, nodeTypeAndVersion{name, version},
 * currentNodeParameters (record), methodName (required here), credentials?, filter?,
 * paginationToken?, projectId?. Differences: n8n 1.123.81 (@n8n/api-types 0.57.32) takes
 * paginationToken as a string only; 2.41.1 also takes a number (turned into a string) and has an
 * optional workflowId. Unknown keys are dropped.
 *
 * An error thrown by the list-search method comes back as HTTP 500 with
 * { "code": 0, "message": "<error message>", "stacktrace": "…" } (the error's description is not
 * in the body); the editor shows the message in the dropdown.
 */
export async function listSearch(api: AxiosInstance, request: ListSearchRequest): Promise<ListSearchResult> {
	const body: Record<string, unknown> = {
		nodeTypeAndVersion: { name: request.nodeType ?? NODE_TYPE, version: request.nodeVersion ?? 1 },
		path: request.path ?? (request.methodName === 'searchConnections' ? 'parameters.connectionId' : 'parameters.listId'),
		methodName: request.methodName,
		currentNodeParameters: request.currentNodeParameters ?? {},
		...(request.credentials ? { credentials: request.credentials } : {}),
		...(request.filter ? { filter: request.filter } : {}),
		...(request.paginationToken !== undefined ? { paginationToken: request.paginationToken } : {}),
		...(request.projectId ? { projectId: request.projectId } : {}),
	};
	const response = await api.post('/rest/dynamic-node-parameters/resource-locator-results', body);
	return unwrap<ListSearchResult>(response.data);
}

export interface CredentialTestData {
	/** Present for a saved credential: n8n then fills in redacted/blank secrets from the stored copy. */
	id?: string;
	name?: string;
	type?: string;
	/** The credential's fields, e.g. { apiKey, baseUrl }. */
	data: Record<string, unknown>;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * What the editor's credential "Test" / save-and-test sends:
 *
 *   POST /rest/credentials/test      (auth cookie; the same body in 1.123.81 and 2.41.1)
 *   { "credentials": { "id": "ofauthCred000001", "name": "OFAuth sandbox", "type": "ofAuthApi",
 *                      "data": { "apiKey": "test-key", "baseUrl": "http://127.0.0.1:4010" } } }
 *   → 200 { "data": { "status": "OK", "message": "Connection successful!" } }
 *   → 200 { "data": { "status": "Error", "message": "<the matching rule's message, or the HTTP error>" } }
 *
 * A failed test is still HTTP 200; only `status` says so. Schema (TestCredentialRequestDto):
 * credentials{ id: string (required), name: string (default ''), type: string, data?: record }.
 * n8n looks the id up among the credentials the user may read and merges the saved values into
 * fields the editor sends redacted, then runs the credential type's `test` request with `data`.
 * Differences: with an id that is not a saved credential (e.g. '' for one not saved yet),
 * 1.123.81 answers 403 Forbidden, while 2.41.1 tests the given data as is when the id is '' and the
 * user is the owner (credential:manageInstance), and answers 403 for any other unknown id.
 */
export async function testCredential(api: AxiosInstance, credential: CredentialTestData): Promise<CredentialTestResult> {
	const body = {
		credentials: {
			// 2.41.1's TestCredentialRequestDto requires id (a string); '' means "not saved yet".
			id: credential.id ?? '',
			name: credential.name ?? 'OFAuth credential under test',
			type: credential.type ?? CREDENTIAL_TYPE,
			data: credential.data,
		},
	};
	const response = await api.post('/rest/credentials/test', body);
	return unwrap<CredentialTestResult>(response.data);
}

/** GET /types/nodes.json (needs the auth cookie) → the node type names it lists. */
export async function listedNodeTypes(api: AxiosInstance): Promise<string[]> {
	const response = await api.get('/types/nodes.json');
	const types = response.data as Array<{ name: string }>;
	return types.map((t) => t.name);
}

// ---------------------------------------------------------------------------------------------
// Process plumbing
// ---------------------------------------------------------------------------------------------

async function runProcess(
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

function commandError(what: string, result: CommandResult): Error {
	const lines = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).filter((l) => l.trim() !== '');
	return new Error(
		`${what} failed (exit ${result.exitCode ?? result.signal}) after ${(result.durationMs / 1000).toFixed(1)} s; last output:\n${lines.slice(-30).join('\n')}`,
	);
}

function httpError(what: string, response: AxiosResponse): Error {
	return new Error(`${what} → ${response.status}: ${truncate(JSON.stringify(response.data), 800)}`);
}

function truncate(text: string | undefined, max: number): string {
	if (!text) return '';
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A port that was free a moment ago on 127.0.0.1 (avoiding `except`). */
export async function freePort(except: number[] = []): Promise<number> {
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
		if (port && !except.includes(port)) return port;
	}
	throw new Error('Could not find a free TCP port on 127.0.0.1');
}
