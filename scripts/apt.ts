/**
 * Debian packages the scripts need (Redis and PostgreSQL for queue mode, Chromium for the browser test),
 * installed with apt-get as root: `apt-get update` once per process, then `apt-get install -y`.
 */
import { isRoot, runCommand } from './queue/command';

const APT_TIMEOUT_MS = 9 * 60_000;
let aptUpdated = false;

export async function aptInstall(
	packages: string[],
	log: (line: string) => void,
	opts: { recommends?: boolean } = {},
): Promise<void> {
	if (!isRoot()) {
		throw new Error(`Missing ${packages.join(' and ')}: run \`sudo apt-get install -y ${packages.join(' ')}\` first.`);
	}
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	if (!aptUpdated) {
		log('apt-get update');
		await runCommand('apt-get', ['update'], { env, timeoutMs: APT_TIMEOUT_MS });
		aptUpdated = true;
	}
	const args = ['install', '-y', ...(opts.recommends ? [] : ['--no-install-recommends']), ...packages];
	log(`apt-get ${args.join(' ')}`);
	await runCommand('apt-get', args, { env, timeoutMs: APT_TIMEOUT_MS });
}
