import { FIRST_SYNC_OF_BEACH_SET } from './harness/fixtures';
import { runAsTool } from './harness/tool';
import { useSandbox } from '../sandbox/client';

const sandbox = useSandbox();

const fromAi = {
	connectionId: { __rl: true, mode: 'id', value: "={{ $fromAI('connectionId', 'The OFAuth connection ID, e.g. conn_abc', 'string') }}" },
	listId: { __rl: true, mode: 'id', value: "={{ $fromAI('listId', 'The OnlyFans vault list ID, digits only', 'string') }}" },
};

describe('as an AI Agent tool (vaultPlusSyncTool)', () => {
	it('takes its parameters from $fromAI() and answers with the compact sync result', async () => {
		const result = await runAsTool({
			credentials: sandbox.credentials(),
			parameters: { ...fromAi, options: { addSummary: true } },
			toolArgs: { connectionId: 'conn_alice', listId: '1001' },
		});

		expect(result.argumentNames).toEqual(['connectionId', 'listId']);
		const answer = JSON.parse(result.answer) as Array<Record<string, unknown>>;
		expect(answer).toEqual([
			{
				...FIRST_SYNC_OF_BEACH_SET,
				changed: true,
				summary: 'List 1001: 4 seen, +4 added, 0 updated, -0 removed, 0 unchanged, 0 adopted',
			},
		]);
		const [request] = await sandbox.requests();
		expect(request).toMatchObject({ method: 'PUT', path: '/v2/vault-plus/lists/1001/sync', connectionId: 'conn_alice' });
	});

	it('tells the agent what went wrong in words it can act on', async () => {
		const result = await runAsTool({
			credentials: sandbox.credentials(),
			parameters: { ...fromAi, options: { maxRetries: 0 } },
			toolArgs: { connectionId: 'conn_cora', listId: '3001' },
		});

		expect(result.answer).toContain('The OnlyFans session of connection conn_cora has expired');
		expect(result.answer).toContain('Reconnect this OnlyFans account through OFAuth Link');
	});

	it('refuses an argument that is not a list ID before calling OFAuth', async () => {
		const result = await runAsTool({
			credentials: sandbox.credentials(),
			parameters: fromAi,
			toolArgs: { connectionId: 'conn_alice', listId: '../1001' },
		});

		expect(result.answer).toContain("Invalid 'Vault List' value");
		expect(await sandbox.requests()).toHaveLength(0);
	});
});
