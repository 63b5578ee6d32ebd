/**
 * `npm run scan`: all of n8n's verification scan (@n8n/scan-community-package) that runs without the registry,
 * done by the scanner's own code. Online, the scan follows the published version's npm provenance to its GitHub
 * commit and lints that source (package.json, nodes/, credentials/) and the published tarball. Here, before
 * publishing: the provenance a publish from package.json's repository gets must lead the scanner back to it;
 * the files git would commit must hold this package at their root, linted as online; so is `npm pack`'s tarball.
 * Both lint with the scanner's rule set (community-nodes `recommended`, n8n Cloud's rules, eslint-disable ignored).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { packPackage } from './n8n-instance';
import { runChecked } from './process';

type Scanner = typeof import('@n8n/scan-community-package/scanner/scanner.mjs');
type Check = { passed: boolean; message?: string; details?: string };

const REPO_ROOT = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
	name: string;
	version: string;
	repository?: { url?: string };
};
/** n8n Cloud's rules: `n8n-node lint` names these two when it says a package cannot run on n8n Cloud. */
const CLOUD_RULES = ['@n8n/community-nodes/no-restricted-globals', '@n8n/community-nodes/no-restricted-imports'];

const git = async (args: string[]) => (await runChecked('git', args, { cwd: REPO_ROOT })).stdout;
const temporaryDir = (prefix: string) => realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));

async function cloudRulesInForce(scanner: Scanner): Promise<Check> {
	const rules = Object.assign({}, ...(await scanner.buildScanConfig()).map((block) => block.rules ?? {})) as Record<string, unknown>;
	const missing = CLOUD_RULES.filter((rule) => rules[rule] !== 'error');
	return missing.length === 0
		? { passed: true, message: CLOUD_RULES.join(', ') }
		: { passed: false, message: `the scanner's rule set lacks ${missing.join(', ')}` };
}

/** The statement npm's provenance carries for a publish from GitHub Actions, as the scanner reads it. */
async function provenanceLeadsHere(scanner: Scanner): Promise<Check> {
	const { NPM_PROVENANCE_PREDICATE_TYPE } = await import('@n8n/scan-community-package/scanner/provenance.mjs');
	const repository = String(manifest.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
	const gitCommit = (await git(['rev-parse', 'HEAD'])).trim();
	const source = { uri: `git+${repository}@refs/tags/v${manifest.version}`, digest: { gitCommit } };
	const payload = Buffer.from(JSON.stringify({ predicate: { buildDefinition: { resolvedDependencies: [source] } } })).toString('base64');
	const found = scanner.parseSourceRepo([{ predicateType: NPM_PROVENANCE_PREDICATE_TYPE, bundle: { dsseEnvelope: { payload } } }]);
	const foundUrl = found ? `https://github.com/${found.owner}/${found.repo}` : undefined;
	return foundUrl === repository
		? { passed: true, message: repository }
		: { passed: false, message: `repository.url "${repository}" leads the scanner to ${foundUrl ?? 'no source'}` };
}

/** The files a commit of the working tree would hold (tracked and unignored), linted where the scanner finds the package. */
async function sourceLeg(scanner: Scanner, dir: string): Promise<Check> {
	for (const file of (await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).split('\0').filter(Boolean)) {
		if (existsSync(path.join(REPO_ROOT, file))) cpSync(path.join(REPO_ROOT, file), path.join(dir, file)); // else deleted, not yet committed
	}
	const root = scanner.findPackageRoot(dir, manifest.name);
	if (root !== dir) {
		return { passed: false, message: `the scanner would lint ${root ? path.relative(dir, root) : 'nothing'}, not the repository root` };
	}
	return await scanner.analyzePackage(dir, scanner.SOURCE_FILE_PATTERNS);
}

async function tarballLeg(scanner: Scanner, unpacked: string): Promise<Check> {
	const tarball = await packPackage(REPO_ROOT, { log: (line) => console.log(`  ${line}`) });
	try {
		await runChecked('tar', ['-xzf', tarball, '--strip-components=1', '-C', unpacked]);
	} finally {
		rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	return await scanner.analyzePackage(unpacked, ['**/*.js', 'package.json']);
}

async function main(): Promise<void> {
	const scanner: Scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const [source, unpacked] = [temporaryDir('ofauth-scan-source-'), temporaryDir('ofauth-scan-tarball-')];
	const checks: Array<[string, () => Promise<Check>]> = [
		["n8n Cloud's rules in the scanner's rule set", () => cloudRulesInForce(scanner)],
		['provenance leads to the source repository', () => provenanceLeadsHere(scanner)],
		['source (package.json, nodes/, credentials/ of the files git tracks)', () => sourceLeg(scanner, source)],
		['packed tarball (**/*.js, package.json)', () => tarballLeg(scanner, unpacked)],
	];
	try {
		for (const [name, check] of checks) {
			const result = await check();
			console.log(`${result.passed ? 'passed' : 'FAILED'}: ${name}${result.message ? ` (${result.message})` : ''}`);
			if (!result.passed) process.exitCode = 1;
			if (!result.passed && result.details) console.log(result.details);
		}
		console.log('After publishing, the full scan: npx @n8n/scan-community-package n8n-nodes-ofauth-vault-plus');
	} finally {
		rmSync(source, { recursive: true, force: true });
		rmSync(unpacked, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
