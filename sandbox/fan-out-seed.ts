import type { SandboxSeed } from './seed';
import { defaultSeed } from './seed';

export interface FanOutTarget extends Record<string, string> {
	connectionId: string;
	listId: string;
}

/**
 * An account with many active connections, each with the same number of custom lists of a few media:
 * connections conn_fan_01…, lists <connection number>01, <connection number>02, ….
 */
export function fanOutSeed(connections: number, listsPerConnection: number): { seed: SandboxSeed; targets: FanOutTarget[] } {
	const base = defaultSeed();
	const seed: SandboxSeed = { ...base, connections: [], generatedConnections: undefined };
	const targets: FanOutTarget[] = [];
	for (let number = 1; number <= connections; number++) {
		const id = `conn_fan_${String(number).padStart(2, '0')}`;
		const firstListId = number * 1000 + 1;
		seed.connections.push({
			id,
			status: 'active',
			vaultPlusEnabled: true,
			userData: { id: String(900000 + number), name: `Fan ${number}`, username: `fan_${number}` },
			createdAt: '2026-01-01T00:00:00.000Z',
			permissions: ['vault:read'],
			expiredAt: null,
			clientReferenceId: null,
			imported: false,
			lists: [],
			generatedLists: {
				count: listsPerConnection,
				firstId: firstListId,
				type: 'custom',
				namePrefix: `Fan ${number} list`,
				firstMediaId: number * 100_000,
				mediaPerList: 3,
			},
		});
		for (let list = 0; list < listsPerConnection; list++) {
			targets.push({ connectionId: id, listId: String(firstListId + list) });
		}
	}
	return { seed, targets };
}
