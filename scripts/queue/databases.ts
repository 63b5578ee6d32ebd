/**
 * The throwaway Redis and PostgreSQL of the queue-mode run, each in a fresh tmp dir on 127.0.0.1 and
 * a free port, stopped (and its dir removed) by stop(), or by the reaper if this process ends first.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { commandArgv, freePort, isRoot, readTail, runChecked, start } from '../process';
import { registerCleanup } from './cleanup';

export interface RedisServer {
	host: string;
	port: number;
	logFile: string;
	stop(): Promise<void>;
}

export interface PostgresServer {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	logFile: string;
	stop(): Promise<void>;
}

/** Redis without persistence, a child of this process. */
export async function startRedis(redisServer: string, log: (line: string) => void = () => undefined): Promise<RedisServer> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-redis-'));
	const logFile = path.join(dir, 'redis.log');
	const port = await freePort();
	log(`redis-server on 127.0.0.1:${port} (dir ${dir})`);
	const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
	const server = start(redisServer, args, { cwd: dir, logFile });
	const cleanup = registerCleanup(
		`redis-server :${port}`,
		async () => {
			await server.stop(5_000);
			rmSync(dir, { recursive: true, force: true });
		},
		{ processes: server.pid ? [{ pid: server.pid, match: `127.0.0.1:${port}` }] : [], dirs: [dir] },
	);
	const deadline = Date.now() + 20_000;
	while (!(await ping(port))) {
		if (server.exited() || Date.now() > deadline) {
			await cleanup.stop();
			throw new Error(`redis-server on port ${port} ${server.exited() ? 'exited' : 'did not answer PING'}:\n${server.tail(20)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return { host: '127.0.0.1', port, logFile, stop: () => cleanup.stop() };
}

/** PING over RESP; true on +PONG. */
function ping(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let answer = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1_000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString();
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

const PG_OS_USER = 'postgres';

function osUserIds(name: string): { uid: number; gid: number } {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith(`${name}:`));
	if (!line) throw new Error(`No "${name}" OS user (it comes with Debian's postgresql package)`);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/**
 * initdb into a fresh tmp dir, pg_ctl start (its Unix socket in that dir too, so no system path is
 * touched), and a database and password-protected user for n8n. PostgreSQL refuses to run as root,
 * so as root every command runs as the `postgres` OS user, which then owns the dir. fsync is off:
 * the data is thrown away.
 */
export async function startPostgres(bin: string, log: (line: string) => void = () => undefined): Promise<PostgresServer> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-pg-'));
	const owner = isRoot() ? osUserIds(PG_OS_USER) : undefined;
	if (owner) chownSync(base, owner.uid, owner.gid);
	const dataDir = path.join(base, 'data');
	const logFile = path.join(base, 'postgres.log');
	const opts = { asUser: PG_OS_USER, cwd: base, timeoutMs: 120_000 };
	const pgCtl = path.join(bin, 'pg_ctl');
	let started = false;
	const cleanup = registerCleanup(
		`postgres ${dataDir}`,
		async () => {
			if (started) await runChecked(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], opts);
			rmSync(base, { recursive: true, force: true });
		},
		// If this process dies, even while pg_ctl start runs, the reaper stops whatever server is up.
		{ commands: [commandArgv(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], PG_OS_USER)], dirs: [base] },
	);
	try {
		const passwordFile = path.join(base, 'initdb-password');
		writeFileSync(passwordFile, `${randomBytes(12).toString('hex')}\n`, { mode: 0o600 });
		if (owner) chownSync(passwordFile, owner.uid, owner.gid);
		const initdbArgs = ['-D', dataDir, '-U', 'postgres', '--pwfile', passwordFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'];
		await runChecked(path.join(bin, 'initdb'), initdbArgs, opts);
		rmSync(passwordFile, { force: true });

		let port = 0;
		for (let attempt = 1; !started; attempt++) {
			port = await freePort();
			const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
			log(`postgres on 127.0.0.1:${port} (data ${dataDir})`);
			try {
				started = true; // as far as stopping goes: pg_ctl may leave a server up even when it fails
				await runChecked(pgCtl, ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start'], opts);
			} catch (error) {
				await runChecked(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], opts).catch(() => undefined);
				started = false;
				// Another process may have taken the free port in between: try another one.
				if (attempt >= 3) throw new Error(`${(error as Error).message}\n${readTail(logFile, 20)}`);
			}
		}
		const password = randomBytes(12).toString('hex');
		const sql = [`CREATE ROLE n8n LOGIN PASSWORD '${password}'`, 'CREATE DATABASE n8n OWNER n8n'];
		const psqlArgs = ['-h', base, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', ...sql.flatMap((s) => ['-c', s])];
		await runChecked(path.join(bin, 'psql'), psqlArgs, opts);
		return { host: '127.0.0.1', port, database: 'n8n', user: 'n8n', password, logFile, stop: () => cleanup.stop() };
	} catch (error) {
		await cleanup.stop();
		throw error;
	}
}
