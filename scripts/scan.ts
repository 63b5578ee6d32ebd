/**
 * `npm run scan`: the checks n8n's verification scanner (@n8n/scan-community-package) runs, offline.
 * The scanner's own CLI fetches the package and its provenance from the registry; its analyzePackage
 * is run here on the two legs it lints: the packed tarball, and the source it was built from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

import { packPackage } from './n8n-instance';

const REPO_ROOT = path.resolve(__dirname, '..');

interface ScanResult {
	passed: boolean;
	message?: string;
	details?: string;
}

type Scanner = {
	analyzePackage: (dir: string, patterns?: string[]) => Promise<ScanResult>;
	SOURCE_FILE_PATTERNS: string[];
};

async function main(): Promise<number> {
	const scanner = (await import('@n8n/scan-community-package/scanner/scanner.mjs')) as Scanner;
	const tarball = await packPackage(REPO_ROOT, { log: (line) => console.log(`  ${line}`) });
	const unpacked = mkdtempSync(path.join(os.tmpdir(), 'ofauth-scan-'));
	try {
		execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', unpacked]);
		const legs: Array<[string, Promise<ScanResult>]> = [
			['packed tarball (**/*.js, package.json)', scanner.analyzePackage(unpacked, ['**/*.js', 'package.json'])],
			['source (package.json, nodes/, credentials/)', scanner.analyzePackage(REPO_ROOT, scanner.SOURCE_FILE_PATTERNS)],
		];
		let failed = 0;
		for (const [leg, pending] of legs) {
			const result = await pending;
			console.log(`${result.passed ? 'passed' : 'FAILED'}: ${leg}${result.message ? ` (${result.message})` : ''}`);
			if (!result.passed) {
				failed++;
				if (result.details) console.log(result.details);
			}
		}
		return failed === 0 ? 0 : 1;
	} finally {
		rmSync(unpacked, { recursive: true, force: true });
		rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
