import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import axios from 'axios';

import { checkBaseUrl } from '../nodes/VaultPlusSync/helpers/baseUrl';
import { authenticateRequest, runSync } from './harness/engine';
import { TEST_API_KEY, useSandbox } from '../sandbox/client';

const sandbox = useSandbox();
const SEED = 20261127;
const RUNS = 120;

const EIGHT_FIELDS = ['synced', 'listId', 'seen', 'addedItems', 'updatedItems', 'removedItems', 'unchangedItems', 'adoptedItems'];

/** Values an upstream node could hand to the ID fields through an expression. */
const hostileValue = fc.oneof(
	fc.constantFrom('', ' ', '  1001', '1001 ', '../1001', '..%2F1001', '%2F', '1001?x=1', '1001#a', '10 01', 'conn_alice', 'conn_cora', '1001', '2001', '0x10', '1e3', '-1', '1.5', 'null', '<script>', 'a'.repeat(5000), '9'.repeat(400)),
	fc.string({ maxLength: 40 }),
	fc.string({ unit: 'binary', maxLength: 20 }),
	fc.integer({ min: -5, max: 3000 }),
	fc.double(),
	fc.constant(null),
	fc.boolean(),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
	fc.array(fc.integer(), { maxLength: 3 }),
);

/** Answers a broken or hostile OFAuth could give with HTTP 200. */
const hostileBody = fc.oneof(
	fc.jsonValue(),
	fc.record(
		{
			synced: fc.oneof(fc.boolean(), fc.constant('true'), fc.constant(1)),
			listId: fc.oneof(fc.constant('1001'), fc.constant(1001), fc.string({ maxLength: 8 })),
			seen: fc.oneof(fc.nat(), fc.integer({ min: -10, max: -1 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant('4')),
			addedItems: fc.nat(),
			updatedItems: fc.nat(),
			removedItems: fc.oneof(fc.nat(), fc.constant(null)),
			unchangedItems: fc.nat(),
			adoptedItems: fc.nat(),
			extra: fc.jsonValue(),
		},
		{ requiredKeys: [] },
	),
	fc.constantFrom({ error: 'Internal', type: 'UNKNOWN_ERROR', requestId: 'req_x' }, { message: 'nope', code: 'X' }, {}, []),
);
const hostileRawBody = fc.constantFrom('', ' ', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'OK', 'null', '{"synced": tru', '\u0000');

function looksLikeResult(json: IDataObject): boolean {
	return EIGHT_FIELDS.every((field) => field in json) && typeof json.connectionId === 'string';
}

describe('hostile input, fuzzed', () => {
	it(`turns any connection and list value into a result or an error naming the field and item (${RUNS} seeded cases)`, async () => {
		let cases = 0;
		await fc.assert(
			fc.asyncProperty(hostileValue, hostileValue, async (connection, list) => {
				cases++;
				await sandbox.clearRequests();
				const result = await runSync({
					credentials: sandbox.credentials(),
					items: [{ connection, list } as IDataObject],
					parameters: {
						connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
						listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
						options: { maxRetries: 0 },
					},
					onError: 'continueRegularOutput',
				});

				expect(result.run.status).toBe('success');
				expect(result.output).toHaveLength(1);
				expect(result.output[0].pairedItem).toEqual({ item: 0 });
				const json = result.output[0].json;
				if (typeof json.error === 'string') {
					expect(json.error).toMatch(/\[item 0\]$/);
					expect(json.error).toMatch(/'Connection'|'Vault List'|connection|vault list|Vault\+/i);
				} else {
					expect(looksLikeResult(json)).toBe(true);
				}
				for (const request of await sandbox.requests()) {
					expect(request.path).toMatch(/^\/v2\/vault-plus\/lists\/(0|[1-9][0-9]*)\/sync$/);
					expect(request.connectionId).toMatch(/^[\x21-\x7E]{1,200}$/);
				}
			}),
			{ seed: SEED, numRuns: RUNS },
		);
		expect(cases).toBe(RUNS);
	});

	it(`reads {{ $json.field }} straight from the item exactly as n8n evaluates it (${RUNS} seeded cases)`, async () => {
		const outputOf = async (items: IDataObject[], connection: string, list: string) => {
			await sandbox.reset();
			const result = await runSync({
				credentials: sandbox.credentials(),
				items,
				parameters: {
					connectionId: { __rl: true, mode: 'id', value: connection },
					listId: { __rl: true, mode: 'list', value: list },
					options: { maxRetries: 0 },
				},
				onError: 'continueRegularOutput',
			});
			// Request IDs count up across runs; everything else must match.
			return JSON.stringify([result.run.status, result.output.map((item) => [item.json, item.pairedItem])]).replace(/req_\d+/g, 'req_N');
		};
		await fc.assert(
			fc.asyncProperty(hostileValue, hostileValue, fc.boolean(), async (connection, list, withList) => {
				const items = [{ connection, ...(withList ? { list } : {}) }, { connection: 'conn_alice', list: '1001' }] as IDataObject[];
				// The first form is read from the item by the node; n8n's expression engine evaluates the second.
				const fast = await outputOf(items, '={{ $json.connection }}', '={{ $json.list }}');
				const evaluated = await outputOf(items, '={{ $json["connection"] }}', '={{ $json["list"] }}');
				expect(fast).toEqual(evaluated);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	it(`refuses or passes on any 200 body without crashing or passing on a malformed result (${RUNS} seeded cases)`, async () => {
		await fc.assert(
			fc.asyncProperty(fc.oneof(hostileBody.map((body) => ({ body })), hostileRawBody.map((rawBody) => ({ rawBody }))), async (answer) => {
				await sandbox.injectFault({ status: 200, ...answer });
				const result = await runSync({
					credentials: sandbox.credentials(),
					parameters: {
						connectionId: { __rl: true, mode: 'id', value: 'conn_alice' },
						listId: { __rl: true, mode: 'id', value: '1001' },
						options: { maxRetries: 0, outputUnsyncedResults: true },
					},
					onError: 'continueRegularOutput',
				});

				expect(result.output).toHaveLength(1);
				const json = result.output[0].json;
				if (typeof json.error === 'string') {
					expect(json.error).toBe('OFAuth returned an unexpected sync result for vault list 1001 [item 0]');
					expect(JSON.stringify(json)).not.toContain(TEST_API_KEY);
				} else {
					const body = (answer as { body?: IDataObject }).body ?? {};
					expect(json).toEqual({ ...Object.fromEntries(EIGHT_FIELDS.map((field) => [field, body[field]])), connectionId: 'conn_alice' });
					for (const field of EIGHT_FIELDS.slice(2)) {
						expect(Number.isSafeInteger(json[field]) && (json[field] as number) >= 0).toBe(true);
					}
				}
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	it(`lets a request carry the key only to a safe Base URL of its own credential (${RUNS * 5} seeded cases)`, async () => {
		const baseUrl = fc.oneof(
			fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'file', 'ws'], withQueryParameters: true, withFragments: true }),
			fc.constantFrom('http://127.0.0.1', 'http://127.1', 'http://0x7f.0.0.1:80/', 'http://[::1]:8/x', 'http://localhost.', 'http://user:pw@127.0.0.1', 'https://api.ofauth.com/', 'https://api.ofauth.com@evil.example', 'javascript:alert(1)', 'HTTP://LOCALHOST:4010', '', '  '),
			fc.string({ maxLength: 30 }),
		);
		const path = fc.constantFrom('/v2/account/whoami', 'v2/x', '', '/../../evil', '//evil.example/x', '@evil.example/', '?q=1', '%2F..%2Fx');
		const target = fc.oneof(
			fc.tuple(baseUrl, path).map(([base, tail]) => ({ url: `${base.trim().replace(/\/+$/, '')}${tail}` })),
			fc.tuple(baseUrl, path).map(([base, tail]) => ({ baseURL: base, url: tail })),
			fc.webUrl({ withQueryParameters: true }).map((url) => ({ uri: url })),
			fc.constantFrom({ url: 'https://api.ofauth.com.evil.example/v2' }, { url: 'http://api.ofauth.com/v2' }, { url: '/v2/account/whoami' }, { url: ' https://evil.example' }),
		);
		await fc.assert(
			fc.asyncProperty(baseUrl, target, async (raw, request) => {
				const checked = checkBaseUrl(raw);
				if (checked.ok) {
					const url = new URL(checked.baseUrl);
					expect(url.protocol === 'https:' || /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)).toBe(true);
					expect(url.username + url.password + url.search + url.hash).toBe('');
					expect(checked.baseUrl.endsWith('/')).toBe(false);
				}
				const result = await authenticateRequest({ apiKey: TEST_API_KEY, baseUrl: raw }, request);
				if ('refused' in result) {
					expect(result.refused).toMatch(/OFAuth API'? credential/);
					expect(result.refused).not.toContain(TEST_API_KEY);
					return;
				}
				// Sent with the key: only where the credential's own, safe Base URL covers the address axios will call.
				expect(checked.ok).toBe(true);
				// Where axios itself, n8n's HTTP client, sends it (n8n's legacy helper maps uri to url).
				const { url, uri, baseURL } = result.sent as { url?: string; uri?: string; baseURL?: string };
				const sentTo = new URL(axios.getUri({ baseURL, url: url ?? uri }));
				const base = new URL((checked as { baseUrl: string }).baseUrl);
				expect(sentTo.origin).toBe(base.origin);
				expect(`${sentTo.pathname}/`.startsWith(`${base.pathname.replace(/\/$/, '')}/`)).toBe(true);
				expect(result.headers.apiKey).toBe(TEST_API_KEY);
				expect(result.sent).toMatchObject({ disableFollowRedirect: true, followRedirect: false, maxRedirects: 0 });
			}),
			{ seed: SEED, numRuns: RUNS * 5 },
		);
	});
});
