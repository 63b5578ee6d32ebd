/**
 * The sandbox over real HTTP (node:http only): request ids and the split between the admin API
 * and the public API. What happens to an API request is in api-request.ts; what each route does
 * is in api-routes.ts and admin-routes.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, freshState, type SandboxAdmin } from './admin';
import { ADMIN_PREFIX, handleAdmin } from './admin-routes';
import { serveApi } from './api-request';
import { FaultQueue } from './faults';
import { parseJson, readBody, respond, send } from './http-io';
import type { SandboxState } from './model';
import { RequestLog, type LoggedRequest } from './request-log';
import { defaultSeed, type SandboxSeed } from './seed';
import type { ConcurrencyStats } from './stats';
import { Traffic, type TrafficOptions } from './traffic';

export type { SandboxAdmin } from './admin';
export type { FaultSpec } from './fault-spec';
export type { LatencyConfig } from './latency';
export type { RandomFaultsStatus } from './random-faults';
export type { RandomFaultsConfig } from './random-faults-config';
export type { RateLimitConfig } from './rate-limit-config';
export type { LoggedRequest } from './request-log';
export type { SandboxSeed } from './seed';
export type { StateSnapshot } from './snapshot';
export type { ConcurrencyStats } from './stats';

export interface SandboxOptions extends TrafficOptions {
	/** Default 0: any free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Default: the bundled seed.json. */
	seed?: SandboxSeed;
	/** Overrides the seed's API keys. */
	apiKeys?: string[];
}

export interface Sandbox {
	/** e.g. http://127.0.0.1:PORT, without a trailing slash. */
	url: string;
	port: number;
	/** The live model; the same object for the server's lifetime, even across resets. */
	state: SandboxState;
	admin: SandboxAdmin;
	requests(): LoggedRequest[];
	clearRequests(): void;
	/** Concurrency statistics of API requests since the start, the last reset or clear. */
	stats(): ConcurrencyStats;
	close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const seed = options.seed ?? defaultSeed();
	const state = freshState({ seed, apiKeys: options.apiKeys });
	const faults = new FaultQueue();
	const log = new RequestLog();
	const traffic = new Traffic(options);
	const admin = createAdmin({ state, seed, apiKeys: options.apiKeys, faults, log, traffic });
	const timers = new Set<NodeJS.Timeout>();
	let requestCounter = 0;

	// Every timer is cleared by close(); a wait for a client that has gone ends with its signal.
	const sleep = (ms: number, signal?: AbortSignal) =>
		new Promise<void>((resolve) => {
			if (signal?.aborted) return resolve();
			const done = () => {
				clearTimeout(timer);
				timers.delete(timer);
				signal?.removeEventListener('abort', done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			timers.add(timer);
			signal?.addEventListener('abort', done, { once: true });
		});
	const context = { state, faults, log, traffic, sleep };

	async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
		const method = req.method ?? 'GET';
		const [path, search = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
		const body = await readBody(req);

		if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
			const run = () => handleAdmin(admin, log, { method, path, body: parseJson(body) });
			send(res, respond(requestId, run));
			return;
		}
		await serveApi(context, { req, res, requestId, method, path, search, body });
	}

	const server = createServer((req, res) => {
		const requestId = `req_${++requestCounter}`;
		res.setHeader('x-request-id', requestId);
		handle(req, res, requestId).catch((error: unknown) => {
			// A bug in the sandbox itself: answer 500 rather than leave the client hanging.
			const body = { error: String(error), type: 'UNKNOWN_ERROR', requestId };
			if (!res.headersSent) send(res, { status: 500, raw: JSON.stringify(body) });
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const address = server.address() as AddressInfo;
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

	return {
		url: `http://${host}:${address.port}`,
		port: address.port,
		state,
		admin,
		requests: () => log.list(),
		clearRequests: () => void log.clear(),
		stats: () => traffic.stats.snapshot(),
		close: () =>
			new Promise<void>((resolve, reject) => {
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
