import { FIRST_SYNC_OF_BEACH_SET_RESULT } from './harness/fixtures';
import { ApiError } from '../sandbox/errors';
import { syncList, whoami, type SandboxState, type SyncResult } from '../sandbox/model';
import { patchListMedia, setListMedia, setSessionStatus, setVaultPlus } from '../sandbox/mutations';
import { listConnections, listVaultLists } from '../sandbox/queries';
import { buildState, defaultSeed, parseSeed } from '../sandbox/seed';
import { snapshot } from '../sandbox/snapshot';

const fp = (id: string, version = 'a') => ({ id, fingerprint: `fp-${id}-${version}` });

function counts(result: SyncResult) {
	const { addedItems, updatedItems, removedItems, unchangedItems, adoptedItems } = result;
	return { addedItems, updatedItems, removedItems, unchangedItems, adoptedItems };
}

function owners(state: SandboxState, connectionId: string, mediaId: string): number[] | undefined {
	const connection = snapshot(state).connections.find((c) => c.id === connectionId);
	return connection?.cache.find((e) => e.mediaId === mediaId)?.owners;
}

function apiError(run: () => unknown): ApiError {
	try {
		run();
	} catch (error) {
		if (error instanceof ApiError) return error;
		throw error;
	}
	throw new Error('expected an ApiError');
}

let state: SandboxState;
beforeEach(() => {
	state = buildState(defaultSeed());
});

describe('syncList', () => {
	it('queues every item and removes nothing on the first sync', () => {
		expect(syncList(state, 'conn_alice', '1001')).toEqual(FIRST_SYNC_OF_BEACH_SET_RESULT);
		expect(snapshot(state).connections[0].baselines['1001'].map((m) => m.id)).toEqual([
			'5001',
			'5002',
			'5003',
			'5004',
		]);
	});

	it('removes nothing on the first sync, even of an empty list', () => {
		syncList(state, 'conn_alice', '1001');
		setListMedia(state, 'conn_alice', 1002, { media: [] });
		const result = syncList(state, 'conn_alice', '1002');
		expect(result).toMatchObject({ seen: 0, removedItems: 0 });
		expect(snapshot(state).connections[0].cache).toHaveLength(4);
		expect(snapshot(state).connections[0].baselines['1002']).toEqual([]);
	});

	it('adopts media already cached through another list', () => {
		syncList(state, 'conn_alice', '1001');
		expect(counts(syncList(state, 'conn_alice', '1002'))).toEqual({
			addedItems: 1,
			updatedItems: 0,
			removedItems: 0,
			unchangedItems: 0,
			adoptedItems: 2,
		});
		expect(owners(state, 'conn_alice', '5003')).toEqual([1001, 1002]);
	});

	it('counts exact added, updated, removed, unchanged and adopted items on a later sync', () => {
		syncList(state, 'conn_alice', '1001'); // 5001-5004
		syncList(state, 'conn_alice', '1002'); // 5003, 5004, 5005
		setListMedia(state, 'conn_alice', 1001, {
			media: [fp('5001'), fp('5004', 'b'), fp('5006'), fp('5005')],
		});
		expect(syncList(state, 'conn_alice', '1001')).toEqual({
			synced: true,
			listId: '1001',
			seen: 4,
			addedItems: 1, // 5006
			updatedItems: 1, // 5004
			removedItems: 1, // 5002; 5003 survives through 1002
			unchangedItems: 1, // 5001
			adoptedItems: 1, // 5005
		});
	});

	it('keeps media that another synced list still owns', () => {
		syncList(state, 'conn_alice', '1001');
		syncList(state, 'conn_alice', '1002');
		patchListMedia(state, 'conn_alice', 1001, { remove: ['5003', '5004'] });
		expect(syncList(state, 'conn_alice', '1001').removedItems).toBe(0);
		expect(owners(state, 'conn_alice', '5003')).toEqual([1002]);
	});

	it('purges shared media once the last owning list drops it', () => {
		syncList(state, 'conn_alice', '1001');
		syncList(state, 'conn_alice', '1002');
		patchListMedia(state, 'conn_alice', 1001, { remove: ['5003'] });
		patchListMedia(state, 'conn_alice', 1002, { remove: ['5003'] });
		expect(syncList(state, 'conn_alice', '1001').removedItems).toBe(0);
		expect(syncList(state, 'conn_alice', '1002').removedItems).toBe(1);
		expect(owners(state, 'conn_alice', '5003')).toBeUndefined();
	});

	it('does not let a list that was never synced protect media', () => {
		syncList(state, 'conn_alice', '1001'); // 1003 also holds 5001 but was never synced
		patchListMedia(state, 'conn_alice', 1001, { remove: ['5001'] });
		expect(syncList(state, 'conn_alice', '1001').removedItems).toBe(1);
	});

	it('re-queues a changed file once even when two lists share it', () => {
		syncList(state, 'conn_alice', '1001');
		syncList(state, 'conn_alice', '1002');
		patchListMedia(state, 'conn_alice', 1001, { update: [fp('5003', 'b')] });
		patchListMedia(state, 'conn_alice', 1002, { update: [fp('5003', 'b')] });
		expect(syncList(state, 'conn_alice', '1001').updatedItems).toBe(1);
		expect(counts(syncList(state, 'conn_alice', '1002'))).toMatchObject({
			updatedItems: 0,
			unchangedItems: 3,
		});
	});

	it('counts a changed fingerprint as updated on a first sync too', () => {
		syncList(state, 'conn_alice', '1001');
		patchListMedia(state, 'conn_alice', 1002, { update: [fp('5003', 'b')] });
		expect(counts(syncList(state, 'conn_alice', '1002'))).toEqual({
			addedItems: 1,
			updatedItems: 1,
			removedItems: 0,
			unchangedItems: 0,
			adoptedItems: 1,
		});
	});

	it('reports everything unchanged when nothing changed since the last sync', () => {
		syncList(state, 'conn_alice', '1001');
		expect(syncList(state, 'conn_alice', 1001)).toEqual({
			synced: true,
			listId: '1001',
			seen: 4,
			addedItems: 0,
			updatedItems: 0,
			removedItems: 0,
			unchangedItems: 4,
			adoptedItems: 0,
		});
	});

	it('rejects a non-numeric list id before looking at the connection', () => {
		expect(apiError(() => syncList(state, 'conn_nobody', ':listId'))).toMatchObject({
			status: 400,
			type: 'BAD_REQUEST',
		});
	});

	it('answers SESSION_NOT_PROVIDED for an unknown connection', () => {
		expect(apiError(() => syncList(state, 'conn_nobody', '1001'))).toMatchObject({
			status: 401,
			type: 'SESSION_NOT_PROVIDED',
			message: 'Connection not found or missing session data',
		});
	});

	it('answers SESSION_EXPIRED with a reauthenticate hint for an expired connection', () => {
		expect(apiError(() => syncList(state, 'conn_cora', '3001'))).toMatchObject({
			status: 401,
			type: 'SESSION_EXPIRED',
			actionRequired: 'reauthenticate',
		});
	});

	it('refuses a connection still awaiting two-factor authentication', () => {
		expect(apiError(() => syncList(state, 'conn_erin', '1'))).toMatchObject({
			status: 401,
			type: 'SESSION_NOT_PROVIDED',
		});
	});

	it('answers 403 FORBIDDEN when Vault+ is not enabled', () => {
		const error = apiError(() => syncList(state, 'conn_dana', '4001'));
		expect(error).toMatchObject({ status: 403, type: 'FORBIDDEN' });
		expect(error.message).toMatch(/Vault\+ is not enabled/);
	});

	it('answers 404 RESOURCE_NOT_FOUND for a list the connection does not have', () => {
		expect(apiError(() => syncList(state, 'conn_alice', '2001'))).toMatchObject({
			status: 404,
			type: 'RESOURCE_NOT_FOUND',
		});
	});

	it('syncs again once the session is restored and Vault+ switched on', () => {
		setSessionStatus(state, 'conn_cora', 'active');
		expect(syncList(state, 'conn_cora', '3001').addedItems).toBe(2);
		setVaultPlus(state, 'conn_dana', true);
		expect(syncList(state, 'conn_dana', '4001').addedItems).toBe(2);
	});
});

describe('list edits', () => {
	it('never touch the cache or baselines', () => {
		syncList(state, 'conn_alice', '1001');
		const before = snapshot(state).connections[0];
		setListMedia(state, 'conn_alice', 1001, { media: [fp('5999')] });
		const after = snapshot(state).connections[0];
		expect(after.cache).toEqual(before.cache);
		expect(after.baselines).toEqual(before.baselines);
	});

	it('create a missing list only when given a name and type', () => {
		expect(apiError(() => setListMedia(state, 'conn_alice', 1999, { media: [] }))).toMatchObject({
			status: 404,
		});
		setListMedia(state, 'conn_alice', 1999, { media: [fp('5100')], name: 'New', type: 'custom' });
		expect(syncList(state, 'conn_alice', '1999').addedItems).toBe(1);
	});

	it('reject a patch that disagrees with the list, leaving the list as it was', () => {
		const before = snapshot(state).connections[0].lists[0];
		const error = apiError(() =>
			patchListMedia(state, 'conn_alice', 1001, { remove: ['5001'], add: [fp('5002')] }),
		);
		expect(error.status).toBe(400);
		expect(snapshot(state).connections[0].lists[0]).toEqual(before);
	});

	it('reject a list holding the same media twice', () => {
		const twice = { media: [fp('1'), fp('1')] };
		expect(apiError(() => setListMedia(state, 'conn_alice', 1001, twice)).status).toBe(400);
	});
});

describe('listConnections', () => {
	it('returns the first 10 of 25 connections by default, in seed order', () => {
		const page = listConnections(state);
		expect(page.list).toHaveLength(10);
		expect(page.hasMore).toBe(true);
		expect(page.list.slice(0, 4).map((c) => c.id)).toEqual([
			'conn_alice',
			'conn_bella',
			'conn_cora',
			'conn_dana',
		]);
		expect(page.list[0].userData).toEqual({
			id: '100001',
			name: 'Alice Sandbox',
			username: 'alice_sbx',
			avatar: null,
		});
	});

	it('filters by status and pages with offset', () => {
		const first = listConnections(state, { status: 'active', limit: 10 });
		const second = listConnections(state, { status: 'active', limit: 10, offset: 10 });
		expect([first.hasMore, second.hasMore]).toEqual([true, false]);
		expect([...first.list, ...second.list]).toHaveLength(17);
		expect(second.list.every((c) => c.status === 'active')).toBe(true);
		expect(listConnections(state, { status: 'expired', limit: 100 }).list).toHaveLength(7);
		const imported = listConnections(state, { imported: 'true' }).list;
		expect(imported.map((c) => c.id)).toEqual(['conn_dana']);
	});

	it('rejects a limit above 100 and an unknown status', () => {
		expect(apiError(() => listConnections(state, { limit: '101' })).status).toBe(400);
		expect(apiError(() => listConnections(state, { limit: '0' })).status).toBe(400);
		expect(apiError(() => listConnections(state, { status: 'gone' })).status).toBe(400);
	});
});

describe('listVaultLists', () => {
	it('returns 24 lists newest first by default, with more to come', () => {
		const page = listVaultLists(state, 'conn_bella');
		expect(page.list).toHaveLength(24);
		expect(page.hasMore).toBe(true);
		expect(page.list[0]).toEqual({
			id: 2141,
			type: 'custom',
			name: 'Archive 41',
			hasMedia: true,
			canUpdate: true,
			canDelete: true,
			medias: [],
		});
		expect(page).toMatchObject({ canCreateVaultLists: true, order: 'desc', sort: 'recent' });
	});

	it('pages through all 45 lists of a connection', () => {
		const second = listVaultLists(state, 'conn_bella', { offset: '24', limit: '24' });
		expect(second.list).toHaveLength(21);
		expect(second.hasMore).toBe(false);
		expect(second.list.at(-1)?.name).toBe('Gym Photos');
	});

	it('searches names case-insensitively', () => {
		const page = listVaultLists(state, 'conn_bella', { query: 'ARCHIVE 1' });
		expect(page.list.map((l) => l.name)).toEqual(
			Array.from({ length: 10 }, (_, i) => `Archive ${19 - i}`),
		);
		expect(listVaultLists(state, 'conn_bella', { query: 'gym' }).list).toHaveLength(2);
	});

	it('lists a connection whose Vault+ is off, since this is the Access API', () => {
		expect(listVaultLists(state, 'conn_dana').list.map((l) => l.id)).toEqual([4002, 4001]);
	});

	it('marks only custom lists as editable', () => {
		const stories = listVaultLists(state, 'conn_alice').list.find((l) => l.type === 'stories');
		expect(stories).toMatchObject({ canUpdate: false, canDelete: false });
	});

	it('rejects a limit above 40', () => {
		expect(apiError(() => listVaultLists(state, 'conn_bella', { limit: 41 })).status).toBe(400);
	});
});

describe('whoami', () => {
	it('describes the organisation', () => {
		expect(whoami(state)).toEqual({
			id: 'org_sandbox',
			name: 'Sandbox Studio',
			permissions: ['account', 'access', 'vault-plus'],
		});
	});
});

describe('seed', () => {
	it('has 25 connections, one with 45 lists, and an empty cache', () => {
		expect(state.connections).toHaveLength(25);
		expect(state.connections.find((c) => c.id === 'conn_bella')?.lists).toHaveLength(45);
		expect(state.connections.every((c) => c.cache.size === 0 && c.baselines.size === 0)).toBe(true);
	});

	it('names the bad field of a broken seed', () => {
		const seed = defaultSeed();
		const broken = { ...seed, connections: [{ ...seed.connections[0], status: 'zombie' }] };
		expect(() => parseSeed(broken)).toThrow('connections[0].status must be one of');
	});

	it('rejects duplicate list ids within a connection', () => {
		const seed = defaultSeed();
		seed.connections[0].lists.push({ id: 1001, type: 'custom', name: 'Again', media: [] });
		expect(() => buildState(seed)).toThrow('duplicate list id in conn_alice: 1001');
	});
});
