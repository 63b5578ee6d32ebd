/**
 * Reading an answer's body, bounded in size and in time: the body arrives as a stream and is read
 * only up to a limit, so no answer, however large or slow, holds memory or the event loop.
 */

/** Far above any page or result OFAuth sends; a larger success answer is refused unread. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** Only the start of an error answer is ever shown. */
export const MAX_ERROR_ANSWER_BYTES = 64 * 1024;

export interface AnswerText {
	text: string;
	/** False when the body went on past the limit and was cut there. */
	complete: boolean;
}

interface ByteStream {
	on(event: 'data', listener: (chunk: unknown) => void): unknown;
	on(event: 'end' | 'close', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	destroy(error?: Error): void;
}

function isByteStream(body: unknown): body is ByteStream {
	return (
		body !== null &&
		typeof body === 'object' &&
		typeof (body as ByteStream).destroy === 'function' &&
		typeof (body as ByteStream).on === 'function'
	);
}

function toBytes(chunk: unknown): Buffer {
	return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk instanceof Uint8Array ? chunk : String(chunk));
}

/** Reads up to `limit` bytes, then ends the stream, and with it the socket; the signal ends it at once. */
async function readStream(stream: ByteStream, limit: number, signal: AbortSignal): Promise<AnswerText> {
	return await new Promise<AnswerText>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const finish = (error?: Error, complete = true) => {
			if (settled) return;
			settled = true;
			signal.removeEventListener('abort', onAbort);
			stream.destroy();
			if (error) reject(error);
			else resolve({ text: Buffer.concat(chunks, size).toString('utf8'), complete });
		};
		const onAbort = () => finish(new Error('aborted'));
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort, { once: true });
		stream.on('data', (chunk) => {
			const bytes = toBytes(chunk);
			const room = limit - size;
			chunks.push(bytes.length > room ? bytes.subarray(0, room) : bytes);
			size += Math.min(bytes.length, room);
			if (bytes.length > room) finish(undefined, false);
		});
		stream.on('end', () => finish());
		stream.on('error', (error) => finish(error));
		stream.on('close', () => finish(new Error('the answer ended early')));
	});
}

/**
 * The body as text, at most `limit` bytes of it. n8n hands over a stream when asked for one; the
 * other shapes are what an older n8n or a stand-in helper may return instead.
 */
export async function readAnswer(body: unknown, limit: number, signal: AbortSignal): Promise<AnswerText> {
	if (isByteStream(body)) return await readStream(body, limit, signal);
	if (body === undefined || body === null) return { text: '', complete: true };
	if (body instanceof Uint8Array) {
		return { text: toBytes(body).subarray(0, limit).toString('utf8'), complete: body.length <= limit };
	}
	const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
	return { text: text.slice(0, limit), complete: text.length <= limit };
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; problem: string };

/** Deeper than any OFAuth answer; JSON.parse takes a third of a second on 100,000 levels. */
export const MAX_JSON_DEPTH = 64;

/** How deeply arrays and objects nest in JSON text, read in one pass without parsing it. */
function nestingDepth(text: string): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let at = 0; at < text.length; at++) {
		const char = text.charCodeAt(at);
		if (inString) {
			if (char === 92) at++; // a backslash escapes the next character
			else if (char === 34) inString = false;
		} else if (char === 34) inString = true;
		else if (char === 91 || char === 123) deepest = Math.max(deepest, ++depth);
		else if (char === 93 || char === 125) depth--;
	}
	return deepest;
}

export function parseJson(text: string): JsonBody {
	if (text.trim() === '') return { ok: false, problem: 'the body is empty' };
	if (nestingDepth(text) > MAX_JSON_DEPTH) {
		return { ok: false, problem: `the body nests deeper than ${MAX_JSON_DEPTH} levels` };
	}
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false, problem: 'the body is not JSON' };
	}
}
