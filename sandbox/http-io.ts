/**
 * JSON framing for the sandbox's HTTP server: reading bodies and headers, turning a route's result
 * or ApiError into an answer, and sending it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ApiResponse } from './api-routes';
import { ApiError, badRequest } from './errors';

export interface Answer {
	status: number;
	raw: string;
	contentType?: string;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
/** DECISION: admin bodies are small JSON; anything larger is a mistake in the test. */
const MAX_BODY_BYTES = 1024 * 1024;

export function respond(requestId: string, run: () => ApiResponse): Answer {
	try {
		const { status, body } = run();
		return { status, raw: JSON.stringify(body) };
	} catch (error) {
		if (!(error instanceof ApiError)) throw error;
		return { status: error.status, raw: JSON.stringify(error.toBody(requestId)) };
	}
}

/** Responses whose socket is written raw, so that nothing else may write to them. */
const takenOver = new WeakSet<ServerResponse>();

/** The response's socket, to write a raw answer to; `send` leaves the response alone after. */
export function takeOver(res: ServerResponse): Socket {
	takenOver.add(res);
	return res.socket as Socket;
}

export function send(res: ServerResponse, answer: Answer): void {
	// The client may have gone during a delay; the work is done either way, as on a real server.
	if (res.destroyed || res.writableEnded || takenOver.has(res)) return;
	res.statusCode = answer.status;
	res.setHeader('content-type', answer.contentType ?? JSON_TYPE);
	res.end(answer.raw);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): unknown {
	if (body.length === 0) return undefined;
	if (body.length >= MAX_BODY_BYTES) throw badRequest('Body too large');
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		throw badRequest('Body is not valid JSON');
	}
}

export function lowerCaseHeaders(req: IncomingMessage): Record<string, string | undefined> {
	const headers: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

export function queryObject(search: string): Record<string, string> {
	const query: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(search)) query[name] = value;
	return query;
}
