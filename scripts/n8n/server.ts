/**
 * `n8n start` for one user folder: a free port, the output to a log file (and its last lines kept
 * for error messages), ready when the REST API answers, and a stop that does not leave it running.
 */
import axios, { type AxiosInstance } from 'axios';
import path from 'node:path';

import type { N8nRuntime } from '../n8n-runtime';
import { freePort, start } from '../process';
import { login, setupOwner, type OwnerDetails } from './rest';

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

export interface StartServerOptions {
	runtime: N8nRuntime;
	env: NodeJS.ProcessEnv;
	userFolder: string;
	port?: number;
	timeoutMs: number;
	log: (line: string) => void;
	onStopped: () => void;
}

export async function startServer(o: StartServerOptions): Promise<RunningN8n> {
	const port = o.port ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(o.userFolder, `n8n-start-${port}.log`);
	const env: NodeJS.ProcessEnv = {
		...o.env,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		// The editor's origin for CORS/CSRF-style checks and links in emails.
		N8N_EDITOR_BASE_URL: url,
	};
	o.log(`n8n start on ${url} (log: ${logFile})`);
	const started = Date.now();
	const child = start(o.runtime.nodeBin, [o.runtime.n8nMain, 'start'], { cwd: o.userFolder, env, logFile });
	// Also when n8n dies on its own, so that start() can be called again.
	void child.done.then(() => o.onStopped());
	const stop = async () => {
		await child.stop(10_000);
		o.onStopped();
	};
	try {
		await waitForReady(url, o.timeoutMs, () => child.exited());
	} catch (error) {
		await stop();
		throw new Error(`${(error as Error).message}\nn8n log (${logFile}), last lines:\n${child.tail(40)}`);
	}
	o.log(`n8n is up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return {
		url,
		port,
		pid: child.pid,
		logFile,
		recentLog: (n = 40) => child.tail(n).split('\n'),
		setupOwner: (owner) => setupOwner(url, owner),
		login: (user) => login(url, user),
		stop,
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
