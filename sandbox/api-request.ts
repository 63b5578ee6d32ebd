/**
 * One API request through the sandbox, in order: log and statistics, faults (queued, then random),
 * the route checks, the rate limit, the model, latency, the answer (at once or trickled).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleApi, syncListIdOf, type Gate } from './api-routes';
import { deliver, type Wait } from './delivery';
import { faultAnswer } from './fault-answers';
import type { FaultQueue } from './faults';
import { lowerCaseHeaders, queryObject, respond } from './http-io';
import { isValidApiKey, type SandboxState } from './model';
import { rateLimitExceeded } from './rate-limit';
import type { RequestLog } from './request-log';
import type { Traffic } from './traffic';

export interface ApiContext {
	state: SandboxState;
	faults: FaultQueue;
	log: RequestLog;
	traffic: Traffic;
	/** A wait that the server cancels when it closes, and that ends early when `signal` aborts. */
	sleep: Wait;
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
		: faultAnswer(fault.spec, requestId, headers.apikey ?? '');
	// DECISION: latency is for answers that passed every check; errors come back at once.
	const latency = syncListId === undefined ? traffic.latency.otherMs : traffic.latency.syncMs;
	if (fromModel && answer.status < 400 && latency > 0) await sleep(latency);

	for (const [name, value] of Object.entries(fault?.spec.headers ?? {})) {
		res.setHeader(name, value);
	}
	if (fault?.spec.contentType) answer.contentType = fault.spec.contentType;
	entry.status = answer.status;
	// DECISION: endedAt is when the sandbox is done: the last byte sent, or the client gone.
	await deliver(res, answer, fault?.spec ?? {}, sleep);
	entry.endedAt = Date.now();
}
