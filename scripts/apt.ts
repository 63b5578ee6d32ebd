/** Debian packages the scripts need (Redis and PostgreSQL for queue mode, Chromium for the browser test), installed as root. */
import { isRoot, runChecked } from './process';

let aptUpdated = false;

/** `apt-get update` once per process, then `apt-get install -y --no-install-recommends`. */
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
