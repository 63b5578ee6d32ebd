/**
 * Hostile answers: what a broken or malicious server could send back, each kind to the same share of
 * the items, in the sandbox's fault queue. Every one is an error for the node; none may hold up
 * n8n's event loop for long (the goal: no block over about 50 ms).
 */
import type { FaultSpec } from '../sandbox/server';

export const HOSTILE_ITEMS = 40;

const MB = 1024 ** 2;
const JSON_TYPE = 'application/json';

const KINDS: Array<{ label: string; fault: FaultSpec }> = [
	// The answer that once blocked for seconds: an error page the error mapping searched quadratically.
	{ label: "a 500 of 400 KB of '<'", fault: { status: 500, rawBody: '<'.repeat(400_000) } },
	{ label: 'a 200 of 2 MB sent as JSON that is not JSON', fault: { status: 200, repeatBody: { text: 'not json', times: (2 * MB) / 8 }, contentType: JSON_TYPE } },
	{ label: 'a 401 whose JSON body is 1 MB', fault: { status: 401, body: { message: 'Unauthorized', detail: 'x'.repeat(1_000_000) } } },
	{ label: 'a 200 of JSON arrays nested 100,000 deep', fault: { status: 200, rawBody: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, contentType: JSON_TYPE } },
	{ label: 'a 404 with a 5 MB HTML page', fault: { status: 404, repeatBody: { text: '<p>Not found</p>', times: (5 * MB) / 16 } } },
];

/** The faults to queue, oldest first: one kind after another, HOSTILE_ITEMS answers in all. */
export const hostileFaults = (): FaultSpec[] => KINDS.map(({ fault }) => ({ ...fault, count: HOSTILE_ITEMS / KINDS.length }));

/** The kinds as a Markdown list. */
export const HOSTILE_ANSWERS = KINDS.map(({ label }) => `- ${label}`).join('\n');
