/**
 * One API request through the sandbox, in order: log and statistics, faults (queued, then random),
 * the route checks, the rate limit, the model, latency, the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleApi, syncListIdOf, type Gate } from './api-routes';
import { errorForStatus } from './errors';
import { MALFORMED_BODY, type FaultQueue } from './faults';
import { lowerCaseHeaders, queryObject, respond, send, type Answer } from './http-io';
import { isValidApiKey, type SandboxState } from './model';
import type { DrawnFault } from './random-faults';
import { rateLimitExceeded } from './rate-limit';
import type { RequestLog } from './request-log';
import type { Traffic } from './traffic';

export interface ApiContext {
	state: SandboxState;
	faults: FaultQueue;
	log: RequestLog;
	traffic: Traffic;
	/** A wait that the server cancels when it closes. */
	sleep(ms: number): Promise<void>;
}

export interface ApiExchange {
	req: IncomingMessage;
	res: ServerResponse;
	requestId: string;
	method: string;
	path: string;
	search: string;
	body: Buffer;
}

export async function serveApi(context: ApiContext, exchange: ApiExchange): Promise<void> {
	const { state, faults, log, traffic, sleep } = context;
	const { req, res, requestId, method, path } = exchange;
	const headers = lowerCaseHeaders(req);
	const connectionId = headers['x-connection-id']?.trim() || undefined;
	const entry = log.start({
		requestId,
		method,
		path,
		query: queryObject(exchange.search),
		connectionId: headers['x-connection-id'],
		apiKeyPresent: (headers.apikey ?? '') !== '',
		apiKeyValid: isValidApiKey(state, headers.apikey),
		bodyLength: exchange.body.length,
		startedAt: Date.now(),
	});
	const syncListId = syncListIdOf(method, path);
	const end = traffic.stats.start({ connectionId, syncListId });
	res.once('finish', end);
	res.once('close', end);

	// DECISION: queued faults come first; a faulted request takes no rate-limit token.
	const queued = faults.take(method, path);
	const random = traffic.randomFaults.take(method, path, queued !== undefined);
	const fault = queued ?? random;
	if (fault) entry.fault = fault.kind;
	if (fault?.spec.delayMs) await sleep(fault.spec.delayMs);

	if (fault?.kind === 'drop') {
		req.socket.destroy();
		entry.endedAt = Date.now();
		return;
	}
	const gate: Gate = (id) => {
		const decision = traffic.limiter.take(id);
		if (!decision) return;
		for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
		if (!decision.allowed) throw rateLimitExceeded();
	};
	const fromModel = !fault || fault.kind === 'delay';
	const answer = fromModel
		? respond(requestId, () =>
				handleApi(state, { method, path, query: entry.query, headers }, gate),
			)
		: faultAnswer(fault, requestId);
	// DECISION: latency is for answers that passed every check; errors come back at once.
	const latency = syncListId === undefined ? traffic.latency.otherMs : traffic.latency.syncMs;
	if (fromModel && answer.status < 400 && latency > 0) await sleep(latency);

	for (const [name, value] of Object.entries(fault?.spec.headers ?? {})) {
		res.setHeader(name, value);
	}
	entry.status = answer.status;
	entry.endedAt = Date.now();
	send(res, answer);
}

function faultAnswer({ spec }: DrawnFault, requestId: string): Answer {
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
