/**
 * How an API answer goes onto the wire: whole, in chunks (a body too large to hold), or a byte at a
 * time (a slow server), optionally never finishing.
 */
import { once } from 'node:events';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { JSON_TYPE, send, takeOver, type Answer } from './http-io';

/** `text` repeated `times` times: made and sent in chunks, never held whole. */
export interface RepeatedText {
	text: string;
	times: number;
}

/** An answer whose body may be a RepeatedText, with headers of its own. */
export interface ApiAnswer extends Omit<Answer, 'raw'> {
	raw: string | RepeatedText;
	headers?: Record<string, string>;
}

/** How slowly to send; see the trickle fields of FaultSpec. Without trickleMs, at once. */
export interface Pace {
	trickleMs?: number;
	trickleHeaders?: boolean;
	trickleBytes?: number;
}

/** A wait that ends early, without error, when `signal` aborts. */
export type Wait = (ms: number, signal?: AbortSignal) => Promise<void>;

/** What a repeated body is cut into: large enough to be quick, small enough to hold. */
const CHUNK_BYTES = 64 * 1024;

/** Resolves once the sandbox is done with the answer: all of it sent, or the client gone. */
export async function deliver(
	res: ServerResponse,
	answer: ApiAnswer,
	pace: Pace,
	wait: Wait,
): Promise<void> {
	for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
	const { raw } = answer;
	if (typeof raw === 'string' && !pace.trickleMs) return send(res, { ...answer, raw });
	if (res.destroyed || res.writableEnded) return;

	res.statusCode = answer.status;
	res.setHeader('content-type', answer.contentType ?? JSON_TYPE);
	res.setHeader('content-length', byteLength(raw));
	const gone = closeSignal(res);
	const body = chunksOf(raw);
	if (!pace.trickleMs) return await stream(res, body, gone);

	const slow = { ms: pace.trickleMs, cap: pace.trickleBytes ?? Infinity, wait, gone };
	const outcome = pace.trickleHeaders
		? await trickleWhole(res, body, slow)
		: await trickleBody(res, body, slow);
	// DECISION: a capped trickle keeps the socket open, silent, until the client or close() ends it.
	if (outcome === 'silent' && !gone.aborted) await once(gone, 'abort');
}

/** Status and headers at once, through node; then the body a byte at a time. */
async function trickleBody(res: ServerResponse, body: Iterable<Buffer>, slow: Slowness) {
	res.flushHeaders();
	const outcome = await trickle(body, (byte) => res.write(byte), slow);
	if (outcome === 'done') res.end();
	return outcome;
}

/** The whole response a byte at a time, status line first, on the socket taken from node. */
async function trickleWhole(res: ServerResponse, body: Iterable<Buffer>, slow: Slowness) {
	res.setHeader('connection', 'close');
	const head = rawHead(res);
	const socket = takeOver(res);
	const outcome = await trickle(prepend(head, body), (byte) => socket.write(byte), slow);
	if (outcome === 'done') socket.end();
	return outcome;
}

function byteLength(raw: string | RepeatedText): number {
	if (typeof raw === 'string') return Buffer.byteLength(raw);
	return Buffer.byteLength(raw.text) * raw.times;
}

function* chunksOf(raw: string | RepeatedText): Generator<Buffer> {
	if (typeof raw === 'string') {
		yield Buffer.from(raw);
		return;
	}
	const unit = Buffer.from(raw.text);
	const perChunk = Math.min(raw.times, Math.max(1, Math.floor(CHUNK_BYTES / unit.length)));
	const chunk = Buffer.from(raw.text.repeat(perChunk));
	let left = raw.times;
	for (; left >= perChunk; left -= perChunk) yield chunk;
	if (left > 0) yield chunk.subarray(0, left * unit.length);
}

/** Aborts when the response closes: finished, or its socket gone (a client that gave up). */
function closeSignal(res: ServerResponse): AbortSignal {
	const controller = new AbortController();
	res.once('close', () => controller.abort());
	return controller.signal;
}

/** Writes the chunks as fast as the client reads them. */
async function stream(res: ServerResponse, chunks: Iterable<Buffer>, gone: AbortSignal) {
	for (const chunk of chunks) {
		if (gone.aborted) return;
		if (!res.write(chunk)) await once(res, 'drain', { signal: gone }).catch(() => undefined);
	}
	res.end();
}

/** The status line and headers as node would write them, for a socket written by hand. */
function rawHead(res: ServerResponse): Buffer {
	const lines = [`HTTP/1.1 ${res.statusCode} ${STATUS_CODES[res.statusCode] ?? 'unknown'}`];
	for (const [name, value] of Object.entries(res.getHeaders())) {
		for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
	}
	return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** done: every byte written; silent: the cap was reached; gone: the client left. */
type Outcome = 'done' | 'silent' | 'gone';

interface Slowness {
	ms: number;
	cap: number;
	wait: Wait;
	gone: AbortSignal;
}

/** Writes the chunks' bytes one at a time, each after a wait of `ms`, at most `cap` of them. */
async function trickle(
	chunks: Iterable<Buffer>,
	write: (byte: Buffer) => void,
	{ ms, cap, wait, gone }: Slowness,
): Promise<Outcome> {
	let sent = 0;
	for (const byte of singleBytes(chunks)) {
		if (sent === cap) return 'silent';
		await wait(ms, gone);
		if (gone.aborted) return 'gone';
		write(byte);
		sent++;
	}
	return 'done';
}

function* singleBytes(chunks: Iterable<Buffer>): Generator<Buffer> {
	for (const chunk of chunks) {
		for (let i = 0; i < chunk.length; i++) yield chunk.subarray(i, i + 1);
	}
}

function* prepend(first: Buffer, rest: Iterable<Buffer>): Generator<Buffer> {
	yield first;
	yield* rest;
}
