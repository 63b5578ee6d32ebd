/**
 * The throwaway Redis and PostgreSQL of the queue-mode run, each in a fresh tmp dir on 127.0.0.1 and
 * a free port, stopped (and its dir removed) by stop(), or by the reaper if this process ends first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { commandArgv, freePort, isRoot, readTail, runChecked, start, until } from '../process';
import { registerCleanup } from './cleanup';

export interface Database {
	port: number;
	stop(): Promise<void>;
}

/** Redis without persistence, a child of this process. */
export async function startRedis(redisServer: string, log: (line: string) => void): Promise<Database> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-redis-'));
	const port = await freePort();
	log(`redis-server on 127.0.0.1:${port} (dir ${dir})`);
	const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
	const server = start(redisServer, args, { cwd: dir, logFile: path.join(dir, 'redis.log') });
	const stop = registerCleanup(`redis-server :${port}`, () => server.stop(5_000), { dirs: [dir] });
	await until(`redis-server :${port}`, 20_000, () => {
		if (server.exited()) throw new Error(`redis-server on port ${port} exited`);
		return server.tail(400).includes('Ready to accept connections') || undefined;
	}).catch(async (error: Error) => {
		await stop();
		throw new Error(`${error.message}:\n${server.tail(20)}`);
	});
	return { port, stop };
}

/**
 * initdb into a fresh tmp dir, pg_ctl start (its Unix socket in that dir too, so no system path is
 * touched), and a database and password-protected user for n8n. PostgreSQL refuses to run as root,
 * so as root every command runs as the `postgres` OS user (from Debian's postgresql package), which
 * then owns the dir. fsync is off: the data is thrown away.
 */
export async function startPostgres(bin: string, log: (line: string) => void): Promise<Database & { password: string }> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-pg-'));
	if (isRoot()) await runChecked('chown', ['postgres', base]);
	const dataDir = path.join(base, 'data');
	const logFile = path.join(base, 'postgres.log');
	const opts = { asUser: 'postgres', cwd: base, timeoutMs: 120_000 };
	const pgCtl = (...args: string[]) => runChecked(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], opts);
	let started = false;
	const stop = registerCleanup(
		`postgres ${dataDir}`,
		async () => started && (await pgCtl('-m', 'fast', '-w', 'stop')),
		// Also while pg_ctl start still runs, the reaper stops whatever server is up.
		{ commands: [commandArgv(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 'postgres')], dirs: [base] },
	);
	try {
		// The superuser has no password: it only connects over the socket in `base` (trust).
		const initdbArgs = ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'];
		await runChecked(path.join(bin, 'initdb'), initdbArgs, opts);
		let port = 0;
		for (let attempt = 1; !started; attempt++) {
			port = await freePort();
			const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
			log(`postgres on 127.0.0.1:${port} (data ${dataDir})`);
			try {
				started = true; // as far as stopping goes: pg_ctl may leave a server up even when it fails
				await pgCtl('-l', logFile, '-o', settings, '-w', '-t', '60', 'start');
			} catch (error) {
				await pgCtl('-m', 'immediate', '-w', 'stop').catch(() => undefined);
				started = false;
				// Another process may have taken the free port in between: try another one.
				if (attempt >= 3) throw new Error(`${(error as Error).message}\n${readTail(logFile, 20)}`);
			}
		}
		const password = randomBytes(12).toString('hex');
		const sql = [`CREATE ROLE n8n LOGIN PASSWORD '${password}'`, 'CREATE DATABASE n8n OWNER n8n'];
		const psqlArgs = [
			'-h',
			base,
			'-p',
			String(port),
			'-U',
			'postgres',
			'-d',
			'postgres',
			'-v',
			'ON_ERROR_STOP=1',
			...sql.flatMap((s) => ['-c', s]),
		];
		await runChecked(path.join(bin, 'psql'), psqlArgs, opts);
		return { port, password, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
