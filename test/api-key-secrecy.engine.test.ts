import type { IDataObject } from 'n8n-workflow';

import type { OnError } from './harness/engine';
import { capturedLogs, runSync, searchList, testCredential } from './harness/engine';
import { useSandbox } from '../sandbox/client';

/** Distinctive, so that any copy of it anywhere is found. */
const SECRET_KEY = 'Zk-93-qx-Lp';

const sandbox = useSandbox({ apiKeys: [SECRET_KEY] });
const seen: unknown[] = [];

function serialise(value: unknown): string {
	const visited = new WeakSet<object>();
	return JSON.stringify(value, (_key, entry: unknown) => {
		if (entry instanceof Error) {
			return { ...entry, name: entry.name, message: entry.message, stack: entry.stack };
		}
		if (entry !== null && typeof entry === 'object') {
			if (visited.has(entry)) return '[circular]';
			visited.add(entry);
		}
		return entry;
	});
}

const parameters = {
	connectionId: { __rl: true, mode: 'id', value: '={{ $json.connection }}' },
	listId: { __rl: true, mode: 'id', value: '={{ $json.list }}' },
	options: { maxRetries: 0 },
};

async function runAndKeep(
	items: IDataObject[],
	onError: OnError,
	baseUrl = sandbox.url,
): Promise<void> {
	const result = await runSync({
		credentials: sandbox.credentials({ apiKey: SECRET_KEY, baseUrl }),
		items,
		parameters,
		onError,
	});
	seen.push(result.run);
}

describe('the API key never leaves the credential', () => {
	it('appears in no output item, error, error description or log line, whatever goes wrong', async () => {
		const echo = `bad key ${SECRET_KEY}`;
		const faults = [
			{ status: 401, body: { error: echo, type: 'UNAUTHORIZED', requestId: SECRET_KEY } },
			{ status: 500, rawBody: `<html><body>${echo}</body></html>` },
			{ status: 200, body: { synced: SECRET_KEY, listId: SECRET_KEY, seen: echo } },
			{ status: 429, body: { message: echo, code: 'RATE_LIMIT_EXCEEDED' }, headers: { 'retry-after': SECRET_KEY } },
			{ status: 200, rawBody: echo },
			{ drop: true },
		];
		const items = [
			{ connection: 'conn_alice', list: '1001' },
			{ connection: 'conn_cora', list: '3001' },
			{ connection: 'conn_alice', list: '999' },
			{ connection: 'conn_dana', list: '4001' },
			{ connection: 'conn bad', list: '1001' },
		];
		for (const onError of ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'] as const) {
			for (const fault of faults) {
				await sandbox.injectFault(fault);
				await runAndKeep(items, onError);
			}
			await runAndKeep(items, onError);
			await runAndKeep(items, onError, 'http://example.invalid');
			await runAndKeep(items, onError, 'http://127.0.0.1:1');
		}
		// n8n repeats a request once after a 401, so both answers carry the echo.
		await sandbox.injectFault({ status: 401, body: { error: echo }, count: 2 });
		seen.push(await testCredential(sandbox.credentials({ apiKey: SECRET_KEY })));
		await sandbox.injectFault({ status: 500, body: { error: echo } });
		seen.push(
			await searchList('searchConnections', { credentials: sandbox.credentials({ apiKey: SECRET_KEY }) }).catch(
				(error: unknown) => error,
			),
		);

		const everything = serialise(seen) + capturedLogs.join('\n');
		expect(capturedLogs.length).toBeGreaterThan(0);
		expect(everything).toContain('[redacted]');
		expect(everything).toContain('conn_alice');
		expect(everything).not.toContain(SECRET_KEY);
		expect((await sandbox.requests()).some((request) => request.apiKeyValid)).toBe(true);
	});
});
