/**
 * The throwaway Redis and PostgreSQL of the queue-mode run, from Debian's packages (installed with
 * apt-get when missing), each in a fresh tmp dir, stopped (and the dir removed) by stopAll, or by the
 * reaper if this process ends first.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { aptInstall } from '../apt';
import { commandArgv, freePort, isRoot, readTail, runChecked, start, until } from '../process';
import { registerCleanup } from './cleanup';

const findRedisServer = () =>
	['/usr/bin', ...(process.env.PATH ?? '').split(path.delimiter)]
		.map((dir) => path.join(dir, 'redis-server'))
		.find((file) => existsSync(file));

/** The newest /usr/lib/postgresql/<version>/bin (Debian's layout) that has initdb and pg_ctl. */
function findPostgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
	return versions
		.sort((a, b) => Number(b) - Number(a))
		.map((version) => path.join(root, version, 'bin'))
		.find((bin) => existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl')));
}

/** Redis without persistence on 127.0.0.1 and a free port, a child of this process. */
async function startRedis(redisServer: string, log: (line: string) => void): Promise<number> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-redis-'));
	const port = await freePort();
	log(`redis-server on 127.0.0.1:${port} (dir ${dir})`);
	let ready = false;
	const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
	const onLine = (line: string) => (ready ||= line.includes('Ready to accept connections'));
	const server = start(redisServer, args, { cwd: dir, logFile: path.join(dir, 'redis.log'), onLine });
	registerCleanup(() => server.stop(5_000), { dirs: [dir] });
	await until(`redis-server :${port}`, 20_000, () => {
		if (server.exited()) throw new Error(`redis-server on port ${port} exited`);
		return ready || undefined;
	}).catch((error: Error) => {
		throw new Error(`${error.message}:\n${server.tail(20)}`);
	});
	return port;
}

/**
 * initdb into a fresh tmp dir, then pg_ctl start with the server on a Unix socket in that dir only:
 * no TCP port to race for, no system path touched, local connections trusted. PostgreSQL refuses to
 * run as root, so as root every command runs as the `postgres` OS user (from Debian's postgresql
 * package), which then owns the dir. fsync is off: the data is thrown away. Returns the socket's dir.
 */
async function startPostgres(bin: string, log: (line: string) => void): Promise<string> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-pg-'));
	if (isRoot()) await runChecked('chown', ['postgres', base]);
	const dataDir = path.join(base, 'data');
	const logFile = path.join(base, 'postgres.log');
	const opts = { asUser: 'postgres', cwd: base };
	const pgCtl = (...args: string[]) => runChecked(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], opts);
	let started = false;
	registerCleanup(async () => started && (await pgCtl('-m', 'fast', '-w', 'stop')), {
		// Also while pg_ctl start still runs, the reaper stops whatever server is up.
		commands: [commandArgv(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 'postgres')],
		dirs: [base],
	});
	const initdbArgs = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'];
	await runChecked(path.join(bin, 'initdb'), initdbArgs, opts);
	log(`postgres on the Unix socket in ${base}`);
	const settings = `-c listen_addresses='' -c unix_socket_directories=${base} -c fsync=off -c synchronous_commit=off`;
	started = true; // as far as stopping goes: pg_ctl may leave a server up even when it fails
	await pgCtl('-l', logFile, '-o', settings, '-w', '-t', '60', 'start').catch((error: Error) => {
		throw new Error(`${error.message}\n${readTail(logFile, 20)}`);
	});
	return base;
}

/** Redis and PostgreSQL up; returns the environment that points n8n at them. */
export async function startDatabases(log: (line: string) => void): Promise<Record<string, string>> {
	const missing = [...(findRedisServer() ? [] : ['redis-server']), ...(findPostgresBin() ? [] : ['postgresql'])];
	if (missing.length > 0) await aptInstall(missing, log);
	const redisServer = findRedisServer();
	const postgresBin = findPostgresBin();
	if (!redisServer || !postgresBin) throw new Error(`${missing.join(' and ')} still missing after apt-get install`);
	const redisPort = await startRedis(redisServer, log);
	return {
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		// A host that is a directory is the Unix socket's (node-postgres); its superuser needs no password there.
		DB_POSTGRESDB_HOST: await startPostgres(postgresBin, log),
		DB_POSTGRESDB_DATABASE: 'postgres',
		DB_POSTGRESDB_USER: 'postgres',
	};
}
