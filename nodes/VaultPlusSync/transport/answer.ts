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

interface ByteStream extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

function isByteStream(body: unknown): body is ByteStream {
	return (
		body !== null &&
		typeof body === 'object' &&
		typeof (body as ByteStream).destroy === 'function' &&
		typeof (body as ByteStream)[Symbol.asyncIterator] === 'function'
	);
}

function toBytes(chunk: unknown): Buffer {
	return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk instanceof Uint8Array ? chunk : String(chunk));
}

async function readStream(stream: ByteStream, limit: number, signal: AbortSignal): Promise<AnswerText> {
	const chunks: Buffer[] = [];
	let size = 0;
	let complete = true;
	// Ending the stream ends the socket under it, whether or not n8n passed the signal on to its client.
	const stop = () => stream.destroy(new Error('aborted'));
	signal.addEventListener('abort', stop, { once: true });
	try {
		if (signal.aborted) throw new Error('aborted');
		for await (const chunk of stream) {
			const bytes = toBytes(chunk);
			if (size + bytes.length > limit) {
				chunks.push(bytes.subarray(0, limit - size));
				size = limit;
				complete = false;
				break;
			}
			chunks.push(bytes);
			size += bytes.length;
		}
	} finally {
		signal.removeEventListener('abort', stop);
		stream.destroy();
	}
	return { text: Buffer.concat(chunks, size).toString('utf8'), complete };
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
