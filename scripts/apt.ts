/**
 * Debian packages the scripts need (Redis and PostgreSQL for queue mode, Chromium for the browser test),
 * installed with apt-get as root: `apt-get update` once per process, then `apt-get install -y`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { isRoot, runChecked } from './process';

let aptUpdated = false;

export async function aptInstall(packages: string[], log: (line: string) => void): Promise<void> {
	if (!isRoot()) throw new Error(`Missing ${packages.join(' and ')}: run \`sudo apt-get install -y ${packages.join(' ')}\` first.`);
	const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 9 * 60_000 };
	if (!aptUpdated) {
		log('apt-get update');
		await runChecked('apt-get', ['update'], opts);
		aptUpdated = true;
	}
	log(`apt-get install -y --no-install-recommends ${packages.join(' ')}`);
	await runChecked('apt-get', ['install', '-y', '--no-install-recommends', ...packages], opts);
}

export interface SystemBinaries {
	redisServer: string;
	/** e.g. /usr/lib/postgresql/15/bin (initdb, pg_ctl, psql, postgres). */
	postgresBin: string;
}

function findRedisServer(): string | undefined {
	const dirs = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(path.delimiter)];
	return dirs.map((dir) => path.join(dir, 'redis-server')).find((file) => existsSync(file));
}

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl. */
function findPostgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	return readdirSync(root)
		.filter((name) => /^\d+(\.\d+)?$/.test(name))
		.sort((a, b) => Number(b) - Number(a))
		.map((version) => path.join(root, version, 'bin'))
		.find((bin) => existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl')));
}

/** Redis and PostgreSQL from Debian's packages: found where Debian puts them, or installed. */
export async function ensureRedisAndPostgres(log: (line: string) => void = () => undefined): Promise<SystemBinaries> {
	const missing = [...(findRedisServer() ? [] : ['redis-server']), ...(findPostgresBin() ? [] : ['postgresql'])];
	if (missing.length > 0) await aptInstall(missing, log);
	const redisServer = findRedisServer();
	const postgresBin = findPostgresBin();
	if (!redisServer) throw new Error('redis-server is still missing after apt-get install redis-server');
	if (!postgresBin) throw new Error('/usr/lib/postgresql/<version>/bin is still missing after apt-get install postgresql');
	return { redisServer, postgresBin };
}
