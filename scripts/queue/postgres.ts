/**
 * A throwaway PostgreSQL cluster: initdb into a fresh tmp dir, pg_ctl start on 127.0.0.1 and a free
 * port (its Unix socket in that dir too, so no system path is touched), and a database and
 * password-protected user for n8n. PostgreSQL refuses to run as root, so as root every command runs
 * as the `postgres` OS user, which then owns the dir. fsync is off: the data is thrown away.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../n8n-instance';
import { registerCleanup } from './cleanup';
import { commandArgv, isRoot, runCommand } from './command';

export interface PostgresServer {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	logFile: string;
	stop(): Promise<void>;
}

const OS_USER = 'postgres';
const START_ATTEMPTS = 3;

function osUserIds(name: string): { uid: number; gid: number } {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith(`${name}:`));
	if (!line) throw new Error(`No "${name}" OS user (it comes with Debian's postgresql package)`);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(bin: string, log: (line: string) => void = () => undefined): Promise<PostgresServer> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-pg-'));
	if (isRoot()) {
		const { uid, gid } = osUserIds(OS_USER);
		chownSync(base, uid, gid);
	}
	const dataDir = path.join(base, 'data');
	const logFile = path.join(base, 'postgres.log');
	const opts = { asUser: OS_USER, cwd: base, timeoutMs: 120_000 };
	const pgCtl = path.join(bin, 'pg_ctl');
	let started = false;

	const cleanup = registerCleanup(
		`postgres ${dataDir}`,
		async () => {
			if (started) await runCommand(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], opts);
			rmSync(base, { recursive: true, force: true });
		},
		// If this process dies, even while pg_ctl start runs, the reaper stops whatever server is up.
		{ commands: [commandArgv(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], OS_USER)], dirs: [base] },
	);
	const stop = () => cleanup.stop();

	try {
		const superPassword = randomBytes(12).toString('hex');
		const passwordFile = path.join(base, 'initdb-password');
		writeFileSync(passwordFile, `${superPassword}\n`, { mode: 0o600 });
		if (isRoot()) chownSync(passwordFile, osUserIds(OS_USER).uid, osUserIds(OS_USER).gid);
		await runCommand(
			path.join(bin, 'initdb'),
			['-D', dataDir, '-U', 'postgres', '--pwfile', passwordFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'],
			opts,
		);
		rmSync(passwordFile, { force: true });

		let port = 0;
		for (let attempt = 1; !started; attempt++) {
			port = await freePort();
			const serverOptions = [
				`-p ${port}`,
				'-c listen_addresses=127.0.0.1',
				`-c unix_socket_directories=${base}`,
				'-c fsync=off',
				'-c synchronous_commit=off',
				'-c full_page_writes=off',
			].join(' ');
			log(`postgres on 127.0.0.1:${port} (data ${dataDir})`);
			try {
				started = true; // as far as stopping goes: pg_ctl may leave a server up even when it fails
				await runCommand(pgCtl, ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start'], opts);
			} catch (error) {
				await runCommand(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], opts).catch(() => undefined);
				started = false;
				// Another process may have taken the free port in between: try another one.
				if (attempt >= START_ATTEMPTS) throw new Error(`${(error as Error).message}\n${readTail(logFile)}`);
			}
		}

		const password = randomBytes(12).toString('hex');
		const sql = [
			`CREATE ROLE n8n LOGIN PASSWORD '${password}'`,
			'CREATE DATABASE n8n OWNER n8n',
		];
		await runCommand(
			path.join(bin, 'psql'),
			['-h', base, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', ...sql.flatMap((s) => ['-c', s])],
			opts,
		);
		return { host: '127.0.0.1', port, database: 'n8n', user: 'n8n', password, logFile, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

function readTail(file: string): string {
	try {
		return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n');
	} catch {
		return '(no postgres log)';
	}
}
