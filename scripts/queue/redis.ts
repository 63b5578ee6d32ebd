/**
 * A throwaway Redis on 127.0.0.1 and a free port, without persistence, its working directory in a
 * fresh tmp dir. It runs as a child of this process and is stopped (and its dir removed) by stop(),
 * or by the reaper if this process ends first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../n8n-instance';
import { registerCleanup } from './cleanup';
import { startLoggedProcess } from './command';

export interface RedisServer {
	host: string;
	port: number;
	logFile: string;
	stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

export async function startRedis(redisServer: string, log: (line: string) => void = () => undefined): Promise<RedisServer> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-redis-'));
	const logFile = path.join(dir, 'redis.log');
	const port = await freePort();
	const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
	log(`redis-server on 127.0.0.1:${port} (dir ${dir})`);
	const server = startLoggedProcess(redisServer, args, { cwd: dir, logFile });

	const cleanup = registerCleanup(
		`redis-server :${port}`,
		async () => {
			await server.stop(5_000);
			rmSync(dir, { recursive: true, force: true });
		},
		{ processes: server.pid ? [{ pid: server.pid, match: `127.0.0.1:${port}` }] : [], dirs: [dir] },
	);
	const stop = () => cleanup.stop();

	const deadline = Date.now() + READY_TIMEOUT_MS;
	while (!(await ping(port))) {
		if (server.exited() || Date.now() > deadline) {
			const tail = readTail(logFile);
			await stop();
			throw new Error(`redis-server on port ${port} ${server.exited() ? 'exited' : 'did not answer PING'}:\n${tail}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return { host: '127.0.0.1', port, logFile, stop };
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

function readTail(file: string): string {
	try {
		return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n');
	} catch {
		return '(no log)';
	}
}
