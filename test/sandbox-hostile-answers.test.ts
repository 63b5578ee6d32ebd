import axios from 'axios';
import { request, type IncomingHttpHeaders } from 'node:http';
import { useSandboxHttp } from './harness/sandbox-http';
import { startSandbox, type FaultSpec } from '../sandbox/server';

const http = useSandboxHttp();

/** A key with every character a naive redaction of the raw key would miss once it is encoded. */
const ODD_KEY = 'sk_"live"\\ab+c/d=e f&g';

interface Timed {
	status: number;
	headers: IncomingHttpHeaders;
	/** The status line and headers as they came, for counting their bytes. */
	head: string;
	body: Buffer;
	headAfterMs: number;
	doneAfterMs: number;
}

/** One GET over node's own client, timing when the head and the last byte arrived. */
function timedGet(path: string, headers: Record<string, string> = { apiKey: 'test-key' }) {
	const started = Date.now();
	return new Promise<Timed>((resolve, reject) => {
		const req = request(`${http.sandbox.url}${path}`, { headers }, (res) => {
			const headAfterMs = Date.now() - started;
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					head: rawHead(res.statusCode ?? 0, res.statusMessage ?? '', res.rawHeaders),
					body: Buffer.concat(chunks),
					headAfterMs,
					doneAfterMs: Date.now() - started,
				}),
			);
		});
		req.on('error', reject);
		req.end();
	});
}

function rawHead(status: number, message: string, rawHeaders: string[]): string {
	const lines = [`HTTP/1.1 ${status} ${message}`];
	for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
	return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Starts a GET, gives up after `ms`, and says what had arrived by then. */
function getThenAbort(path: string, ms: number) {
	return new Promise<{ gotHead: boolean; bodyBytes: number }>((resolve) => {
		const seen = { gotHead: false, bodyBytes: 0 };
		const req = request(`${http.sandbox.url}${path}`, { headers: { apiKey: 'test-key' } }, (res) => {
			seen.gotHead = true;
			res.on('data', (chunk: Buffer) => (seen.bodyBytes += chunk.length));
			res.on('error', () => undefined);
		});
		req.on('error', () => undefined);
		req.end();
		setTimeout(() => {
			req.destroy();
			resolve(seen);
		}, ms);
	});
}

async function inject(fault: FaultSpec): Promise<void> {
	const response = await http.admin.post('/faults', fault);
	expect(response.status).toBe(201);
}

/** Resolves once the sandbox has logged the end of its first request. */
async function firstRequestEnded(): Promise<number | null> {
	for (let i = 0; i < 50 && http.sandbox.requests()[0]?.endedAt === null; i++) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	return http.sandbox.requests()[0].endedAt;
}

describe('trickled answers', () => {
	it('sends the status and headers at once, then the body one byte every trickleMs', async () => {
		await inject({ status: 200, rawBody: 'abcdefghij', trickleMs: 30 });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.body.toString()).toBe('abcdefghij');
		expect(answer.headers['content-length']).toBe('10');
		expect(answer.doneAfterMs).toBeGreaterThanOrEqual(10 * 30 - 2);
		// The head came at once, not a byte at a time; the nine later bytes each waited 30 ms.
		expect(answer.headAfterMs).toBeLessThan(Buffer.byteLength(answer.head) * 30);
		expect(answer.doneAfterMs - answer.headAfterMs).toBeGreaterThanOrEqual(9 * 30 - 2);
	});

	it("trickles the model's own answer when the fault gives none", async () => {
		await inject({ trickleMs: 2 });
		const answer = await timedGet('/v2/account/whoami');
		expect(JSON.parse(answer.body.toString())).toMatchObject({ id: 'org_sandbox' });
		expect(answer.doneAfterMs).toBeGreaterThanOrEqual(answer.body.length * 2 - 2);
		const [logged] = http.sandbox.requests();
		expect(logged).toMatchObject({ fault: 'delay', status: 200 });
		expect((logged.endedAt ?? 0) - logged.startedAt).toBeGreaterThanOrEqual(answer.body.length * 2 - 2);
	});

	it('delays the status line itself with trickleHeaders', async () => {
		await inject({ status: 503, trickleMs: 2, trickleHeaders: true, headers: { 'retry-after': '1' } });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.status).toBe(503);
		expect(answer.headers).toMatchObject({ 'retry-after': '1', connection: 'close' });
		expect(JSON.parse(answer.body.toString())).toMatchObject({ type: 'NETWORK_ERROR' });
		expect(answer.headAfterMs).toBeGreaterThanOrEqual(Buffer.byteLength(answer.head) * 2 - 2);
		const total = Buffer.byteLength(answer.head) + answer.body.length;
		expect(answer.doneAfterMs).toBeGreaterThanOrEqual(total * 2 - 2);
	});

	it('never completes after trickleBytes, and lets go of a client that gives up', async () => {
		await inject({ status: 200, rawBody: 'hello, slow world', trickleMs: 1, trickleBytes: 5 });
		expect(await getThenAbort('/v2/account/whoami', 150)).toEqual({ gotHead: true, bodyBytes: 5 });
		expect(await firstRequestEnded()).not.toBeNull();
		expect(http.sandbox.requests()[0].status).toBe(200);
	});

	it('ends its wait for the next byte as soon as the client gives up', async () => {
		await inject({ status: 200, rawBody: 'too slow', trickleMs: 5000 });
		const started = Date.now();
		expect(await getThenAbort('/v2/account/whoami', 100)).toEqual({ gotHead: true, bodyBytes: 0 });
		expect(await firstRequestEnded()).not.toBeNull();
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('never finishes the status line when trickleBytes caps a trickleHeaders answer', async () => {
		await inject({ body: { synced: true }, trickleMs: 1, trickleHeaders: true, trickleBytes: 12 });
		expect(await getThenAbort('/v2/account/whoami', 150)).toEqual({ gotHead: false, bodyBytes: 0 });
		expect(await firstRequestEnded()).not.toBeNull();
	});

	it('stops trickling at once when the sandbox closes', async () => {
		const own = await startSandbox();
		await axios.post(`${own.url}/__sandbox/faults`, { rawBody: 'never', trickleMs: 5000 });
		const answer = axios.get(`${own.url}/v2/account/whoami`, { headers: { apiKey: 'test-key' } });
		await new Promise((resolve) => setTimeout(resolve, 50));
		const closing = Date.now();
		await own.close();
		expect(Date.now() - closing).toBeLessThan(500);
		await expect(answer).rejects.toThrow();
	});
});

describe('repeated bodies', () => {
	it('streams text repeated times, as text/html by default, with its length', async () => {
		await inject({ status: 200, repeatBody: { text: '<', times: 2_000_000 } });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.headers['content-type']).toMatch(/^text\/html/);
		expect(answer.headers['content-length']).toBe('2000000');
		expect(answer.body.length).toBe(2_000_000);
		expect(answer.body.every((byte) => byte === 0x3c)).toBe(true);
	});

	it('sends a 20 MB JSON-looking body with the given content type', async () => {
		const unit = '{"id":1},';
		await inject({ repeatBody: { text: unit, times: 2_222_222 }, contentType: 'application/json' });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toBe('application/json');
		expect(answer.body.length).toBe(unit.length * 2_222_222);
		expect(answer.body.subarray(-unit.length).toString()).toBe(unit);
	});

	it('counts the bytes of a multi-byte text', async () => {
		await inject({ repeatBody: { text: 'é€', times: 3 } });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.body.toString()).toBe('é€é€é€');
		expect(answer.headers['content-length']).toBe('15');
	});
});

describe('API key echoes', () => {
	const call = () => timedGet('/v2/account/whoami', { apiKey: ODD_KEY });

	it("'body' puts the key, as received, in a JSON error", async () => {
		await inject({ echoApiKey: 'body' });
		const answer = await call();
		expect(answer.status).toBe(401);
		expect(JSON.parse(answer.body.toString())).toEqual({
			error: `key ${ODD_KEY} is not valid`,
			type: 'UNAUTHORIZED',
		});
	});

	it("'json-escaped' holds the key only in its JSON-escaped form, in an HTML page", async () => {
		await inject({ echoApiKey: 'json-escaped' });
		const answer = await call();
		const text = answer.body.toString();
		expect(answer.status).toBe(401);
		expect(answer.headers['content-type']).toMatch(/^text\/html/);
		expect(text).toContain(`"apiKey":"${JSON.stringify(ODD_KEY).slice(1, -1)}"`);
		expect(text).not.toContain(ODD_KEY);
	});

	it("'url-encoded' holds the key only percent-encoded, in a link", async () => {
		await inject({ echoApiKey: 'url-encoded', status: 403 });
		const answer = await call();
		expect(answer.status).toBe(403);
		expect(JSON.parse(answer.body.toString())).toEqual({
			error: `see https://x.invalid/?k=${encodeURIComponent(ODD_KEY)}`,
		});
		expect(answer.body.toString()).not.toContain(ODD_KEY);
	});

	it("'header' sends the key in x-echo, on the documented error body", async () => {
		await inject({ echoApiKey: 'header' });
		const answer = await call();
		expect(answer.status).toBe(401);
		expect(answer.headers['x-echo']).toBe(ODD_KEY);
		expect(JSON.parse(answer.body.toString())).toMatchObject({ type: 'UNAUTHORIZED' });
	});

	it('counts a random echo fault under its default status, 401', async () => {
		await http.admin.post('/faults/random', { rate: 1, seed: 1, kinds: [{ echoApiKey: 'body' }] });
		expect((await call()).status).toBe(401);
		expect((await http.admin.get('/faults/random')).data.byKind).toEqual({ '401': 1 });
	});
});

describe('checking hostile faults', () => {
	it.each<[string, object, RegExp]>([
		['a trickle of 0 ms', { trickleMs: 0 }, /trickleMs must be an integer between 1 and 5000/],
		['a trickle slower than 5 s', { trickleMs: 5001 }, /trickleMs/],
		['trickleHeaders alone', { trickleHeaders: true }, /need trickleMs/],
		['a trickle capped at 0 bytes', { trickleMs: 1, trickleBytes: 0 }, /trickleBytes/],
		['a drop that trickles', { drop: true, trickleMs: 1 }, /drop .* no trickleMs/],
		['an empty text to repeat', { repeatBody: { text: '', times: 1 } }, /repeatBody\.text/],
		['too many repeats', { repeatBody: { text: 'x', times: 50_000_001 } }, /repeatBody\.times/],
		['an unknown repeat field', { repeatBody: { text: 'x', times: 1, gzip: true } }, /gzip/],
		['two bodies', { repeatBody: { text: 'x', times: 1 }, body: {} }, /not body and repeatBody/],
		['an echo and a body', { echoApiKey: 'body', rawBody: 'x' }, /not rawBody and echoApiKey/],
		['an unknown echo form', { echoApiKey: 'cookie' }, /echoApiKey must be one of body, json-escaped/],
		['a content type with a line break', { contentType: 'text/html\r\nx: y' }, /contentType/],
		['a misspelt field', { trickelMs: 5 }, /unknown field\(s\) trickelMs/],
	])('refuses %s with a 400 that says why', async (_, fault, message) => {
		const response = await http.admin.post('/faults', fault);
		expect(response.status).toBe(400);
		expect(response.data.error).toMatch(message);
	});

	it('accepts an x-echo header on any body, and a content type on any answer', async () => {
		await inject({ echoApiKey: 'header', body: { ok: true }, status: 200, contentType: 'text/plain' });
		const answer = await timedGet('/v2/account/whoami');
		expect(answer.headers).toMatchObject({ 'x-echo': 'test-key', 'content-type': 'text/plain' });
		expect(JSON.parse(answer.body.toString())).toEqual({ ok: true });
	});

	it('lists pending hostile faults with all their fields, and clears them', async () => {
		const slow = { trickleMs: 3, trickleHeaders: true, trickleBytes: 40 };
		const big = { repeatBody: { text: '<', times: 10 }, contentType: 'text/xml', echoApiKey: 'header' };
		await inject(slow);
		await inject(big as FaultSpec);
		const { data } = await http.admin.get('/faults');
		expect(data).toMatchObject([
			{ kind: 'delay', spec: slow },
			{ kind: 'respond', spec: big },
		]);
		http.sandbox.admin.faults()[1].spec.repeatBody!.times = 1;
		expect(http.sandbox.admin.faults()[1].spec.repeatBody?.times).toBe(10);
		expect((await http.admin.delete('/faults')).data).toEqual({ cleared: 2 });
		expect((await timedGet('/v2/account/whoami')).headers['x-echo']).toBeUndefined();
	});
});
