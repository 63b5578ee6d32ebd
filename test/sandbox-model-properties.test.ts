import fc from 'fast-check';
import { syncList, type SandboxState, type SyncResult } from '../sandbox/model';
import { setListMedia } from '../sandbox/mutations';
import { buildState, type SandboxSeed } from '../sandbox/seed';
import { snapshot, type ConnectionSnapshot } from '../sandbox/snapshot';

const SEED = 42;
const RUNS = 200;
const LISTS = [11, 12, 13];
const POOL = ['101', '102', '103', '104', '105', '106', '107', '108'];
const CONNECTION = 'conn_prop';

/** What the creator does between syncs, and the syncs themselves. */
type Command =
	| { kind: 'toggle'; list: number; media: number }
	/** A new file for a media; `onlyList` makes lists disagree, which OF should not do but may. */
	| { kind: 'edit'; media: number; onlyList: number | null }
	| { kind: 'sync'; list: number; repeat: boolean };

const listIndex = fc.integer({ min: 0, max: LISTS.length - 1 });
const mediaIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
	fc.record({ kind: fc.constant('toggle' as const), list: listIndex, media: mediaIndex }),
	fc.record({
		kind: fc.constant('edit' as const),
		media: mediaIndex,
		onlyList: fc.option(listIndex, { nil: null }),
	}),
	fc.record({ kind: fc.constant('sync' as const), list: listIndex, repeat: fc.boolean() }),
	fc.record({ kind: fc.constant('sync' as const), list: listIndex, repeat: fc.boolean() }),
);

function emptyWorld(): SandboxState {
	const seed: SandboxSeed = {
		organisation: { id: 'org_prop', name: null, permissions: [] },
		apiKeys: ['k'],
		connections: [
			{
				id: CONNECTION,
				status: 'active',
				vaultPlusEnabled: true,
				userData: { id: '1', name: 'Prop', username: 'prop' },
				createdAt: '2026-01-01T00:00:00.000Z',
				permissions: [],
				expiredAt: null,
				clientReferenceId: null,
				imported: false,
				lists: LISTS.map((id) => ({ id, type: 'custom' as const, name: `L${id}`, media: [] })),
			},
		],
	};
	return buildState(seed);
}

const view = (state: SandboxState): ConnectionSnapshot => snapshot(state).connections[0];

interface SyncStep {
	state: SandboxState;
	listId: number;
	before: ConnectionSnapshot;
	after: ConnectionSnapshot;
	result: SyncResult;
	/** The same sync again, straight away, with nothing changed in between. */
	again: () => SyncResult;
}

/**
 * Plays seeded random histories (list edits, file changes, syncs) and hands every sync to `check`.
 * Returns how many syncs were checked, so a test can show it exercised something.
 */
function forEverySync(check: (step: SyncStep) => void): number {
	let syncs = 0;
	fc.assert(
		fc.property(fc.array(command, { minLength: 5, maxLength: 40 }), (commands) => {
			const state = emptyWorld();
			const members = LISTS.map(() => new Set<number>());
			const fingerprints = LISTS.map(() => POOL.map((id) => `fp-${id}-0`));
			let version = 0;

			for (const step of commands) {
				if (step.kind === 'toggle') {
					const set = members[step.list];
					if (set.has(step.media)) set.delete(step.media);
					else set.add(step.media);
				} else if (step.kind === 'edit') {
					version++;
					for (let l = 0; l < LISTS.length; l++) {
						if (step.onlyList === null || step.onlyList === l) {
							fingerprints[l][step.media] = `fp-${POOL[step.media]}-${version}`;
						}
					}
				} else {
					LISTS.forEach((id, l) =>
						setListMedia(state, CONNECTION, id, {
							media: [...members[l]].map((m) => ({ id: POOL[m], fingerprint: fingerprints[l][m] })),
						}),
					);
					const listId = LISTS[step.list];
					const before = view(state);
					const result = syncList(state, CONNECTION, String(listId));
					const again = () => syncList(state, CONNECTION, listId);
					check({ state, listId, before, after: view(state), result, again });
					syncs++;
				}
			}
		}),
		{ seed: SEED, numRuns: RUNS },
	);
	return syncs;
}

const purgedBy = ({ before, after }: SyncStep) => {
	const cachedAfter = new Set(after.cache.map((e) => e.mediaId));
	return before.cache.filter((e) => !cachedAfter.has(e.mediaId));
};

describe(`syncList over ${RUNS} random list histories (fast-check seed ${SEED})`, () => {
	it('never removes anything on the first sync of a list', () => {
		let firsts = 0;
		forEverySync((step) => {
			if (step.before.baselines[String(step.listId)] !== undefined) return;
			firsts++;
			expect(step.result.removedItems).toBe(0);
			expect(purgedBy(step)).toEqual([]);
		});
		expect(firsts).toBeGreaterThan(RUNS);
	});

	it('never purges media that another list still owns, and counts every purge', () => {
		const syncs = forEverySync((step) => {
			const purged = purgedBy(step);
			expect(purged).toHaveLength(step.result.removedItems);
			for (const entry of purged) expect(entry.owners).toEqual([step.listId]);
			expect(step.after.cache.length).toBe(
				step.before.cache.length + step.result.addedItems - step.result.removedItems,
			);
		});
		console.log(`sandbox sync properties: ${RUNS} runs, ${syncs} syncs checked, seed ${SEED}`);
	});

	it('leaves every cached media owned by exactly the lists whose baseline holds it', () => {
		forEverySync(({ after }) => {
			for (const entry of after.cache) {
				const holders = Object.entries(after.baselines)
					.filter(([, items]) => items.some((m) => m.id === entry.mediaId))
					.map(([id]) => Number(id));
				expect(entry.owners.length).toBeGreaterThan(0);
				expect(entry.owners).toEqual(holders.sort((a, b) => a - b));
			}
		});
	});

	it('keeps every item of every baseline in the cache', () => {
		forEverySync(({ after }) => {
			const cached = new Set(after.cache.map((e) => e.mediaId));
			for (const items of Object.values(after.baselines)) {
				for (const item of items) expect(cached.has(item.id)).toBe(true);
			}
		});
	});

	it('counts each seen item exactly once: added + updated + unchanged + adopted = seen', () => {
		forEverySync(({ after, listId, result }) => {
			const list = after.lists.find((l) => l.id === listId);
			expect(result.seen).toBe(list?.media.length);
			const { addedItems, updatedItems, unchangedItems, adoptedItems } = result;
			expect(addedItems + updatedItems + unchangedItems + adoptedItems).toBe(result.seen);
		});
	});

	it('reports everything unchanged when a sync is repeated with no change', () => {
		forEverySync(({ result, again }) => {
			expect(again()).toEqual({
				...result,
				addedItems: 0,
				updatedItems: 0,
				removedItems: 0,
				unchangedItems: result.seen,
				adoptedItems: 0,
			});
		});
	});

	it("caches the list's current fingerprints and leaves other lists' baselines alone", () => {
		forEverySync(({ before, after, listId }) => {
			const cached = new Map(after.cache.map((e) => [e.mediaId, e.fingerprint]));
			const list = after.lists.find((l) => l.id === listId);
			for (const item of list?.media ?? []) expect(cached.get(item.id)).toBe(item.fingerprint);
			for (const [id, items] of Object.entries(before.baselines)) {
				if (Number(id) !== listId) expect(after.baselines[id]).toEqual(items);
			}
		});
	});
});
