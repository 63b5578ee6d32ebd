/**
 * The sandbox over real HTTP (node:http only): request ids, the request log, fault injection and
 * JSON framing. What each route does lives in api-routes.ts and admin-routes.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, freshState, type SandboxAdmin } from './admin';
import { ADMIN_PREFIX, handleAdmin } from './admin-routes';
import { handleApi, type ApiResponse } from './api-routes';
import { ApiError, badRequest, errorForStatus } from './errors';
import { FaultQueue, MALFORMED_BODY, type Fault } from './faults';
import { isValidApiKey, type SandboxState } from './model';
import { RequestLog, type LoggedRequest } from './request-log';
import { defaultSeed, type SandboxSeed } from './seed';

export type { SandboxAdmin } from './admin';
export type { FaultSpec } from './faults';
export type { LoggedRequest } from './request-log';
export type { SandboxSeed } from './seed';
export type { StateSnapshot } from './snapshot';

export interface SandboxOptions {
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
	close(): Promise<void>;
}

/** DECISION: admin bodies are small JSON; anything larger is a mistake in the test. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const seed = options.seed ?? defaultSeed();
	const state = freshState({ seed, apiKeys: options.apiKeys });
	const faults = new FaultQueue();
	const log = new RequestLog();
	const admin = createAdmin({ state, seed, apiKeys: options.apiKeys, faults, log });
	const timers = new Set<NodeJS.Timeout>();
	let requestCounter = 0;

	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});

	async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
		const method = req.method ?? 'GET';
		const [path, search = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
		const body = await readBody(req);

		if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
			const run = () => handleAdmin(admin, log, { method, path, body: parseJson(body) });
			send(res, respond(requestId, run));
			return;
		}

		const headers = lowerCaseHeaders(req);
		const entry = log.start({
			requestId,
			method,
			path,
			query: queryObject(search),
			connectionId: headers['x-connection-id'],
			apiKeyPresent: (headers.apikey ?? '') !== '',
			apiKeyValid: isValidApiKey(state, headers.apikey),
			bodyLength: body.length,
			startedAt: Date.now(),
		});
		const fault = faults.take(method, path);
		if (fault) entry.fault = fault.kind;
		if (fault?.spec.delayMs) await sleep(fault.spec.delayMs);

		if (fault?.kind === 'drop') {
			req.socket.destroy();
			entry.endedAt = Date.now();
			return;
		}
		const answer =
			fault && fault.kind !== 'delay'
				? faultAnswer(fault, requestId)
				: respond(requestId, () => handleApi(state, { method, path, query: entry.query, headers }));
		for (const [name, value] of Object.entries(fault?.spec.headers ?? {})) {
			res.setHeader(name, value);
		}
		entry.status = answer.status;
		entry.endedAt = Date.now();
		send(res, answer);
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
		close: () =>
			new Promise<void>((resolve, reject) => {
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}

interface Answer {
	status: number;
	raw: string;
	contentType?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function respond(requestId: string, run: () => ApiResponse): Answer {
	try {
		const { status, body } = run();
		return { status, raw: JSON.stringify(body) };
	} catch (error) {
		if (!(error instanceof ApiError)) throw error;
		return { status: error.status, raw: JSON.stringify(error.toBody(requestId)) };
	}
}

function faultAnswer(fault: Fault, requestId: string): Answer {
	const { spec } = fault;
	if (spec.malformed) return { status: spec.status ?? 200, raw: MALFORMED_BODY };
	const status = spec.status ?? 200;
	if (spec.rawBody !== undefined) return { status, raw: spec.rawBody, contentType: 'text/plain' };
	if (spec.body !== undefined) return { status, raw: JSON.stringify(spec.body) };
	// DECISION: a bare error status gets the documented body, with this request's id.
	if (status >= 400) {
		return { status, raw: JSON.stringify(errorForStatus(status).toBody(requestId)) };
	}
	return { status, raw: '{}' };
}

function send(res: ServerResponse, answer: Answer): void {
	// The client may have gone during a delay; the work is done either way, as on a real server.
	if (res.destroyed || res.writableEnded) return;
	res.statusCode = answer.status;
	res.setHeader('content-type', answer.contentType ?? JSON_TYPE);
	res.end(answer.raw);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
	if (body.length === 0) return undefined;
	if (body.length >= MAX_BODY_BYTES) throw badRequest('Body too large');
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		throw badRequest('Body is not valid JSON');
	}
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string | undefined> {
	const headers: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

function queryObject(search: string): Record<string, string> {
	const query: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(search)) query[name] = value;
	return query;
}
