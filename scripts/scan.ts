/**
 * `npm run scan`: n8n's verification scan (@n8n/scan-community-package) without the registry, by the scanner's own code.
 * Online it follows npm provenance to the GitHub commit and lints that source and the tarball. Offline: a publish from
 * package.json's repository must lead the scanner back to it; the files git would commit and `npm pack`'s tarball are linted.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { packPackage } from './n8n-instance';
import { runChecked } from './process';

type Scanner = typeof import('@n8n/scan-community-package/scanner/scanner.mjs');
type Check = { passed: boolean; message?: string; details?: string };
type Manifest = { name: string; version: string; repository: { url: string } };

const REPO_ROOT = path.resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
/** n8n Cloud's rules: `n8n-node lint` names these two when it says a package cannot run on n8n Cloud. */
const CLOUD_RULES = ['@n8n/community-nodes/no-restricted-globals', '@n8n/community-nodes/no-restricted-imports'];
const git = async (args: string[]) => (await runChecked('git', args, { cwd: REPO_ROOT })).stdout;

async function cloudRulesInForce(scanner: Scanner): Promise<Check> {
	const rules = Object.assign({}, ...(await scanner.buildScanConfig()).map((block) => block.rules ?? {})) as Record<string, unknown>;
	const missing = CLOUD_RULES.filter((rule) => rules[rule] !== 'error');
	return { passed: missing.length === 0, message: missing.length ? `it lacks ${missing.join(', ')}` : CLOUD_RULES.join(', ') };
}

/** The statement npm's provenance carries for a publish from GitHub Actions, as the scanner reads it. */
async function provenanceLeadsHere(scanner: Scanner): Promise<Check> {
	const { NPM_PROVENANCE_PREDICATE_TYPE } = await import('@n8n/scan-community-package/scanner/provenance.mjs');
	const repository = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
	const source = { uri: `git+${repository}@refs/tags/v${manifest.version}`, digest: { gitCommit: (await git(['rev-parse', 'HEAD'])).trim() } };
	const payload = Buffer.from(JSON.stringify({ predicate: { buildDefinition: { resolvedDependencies: [source] } } })).toString('base64');
	const found = scanner.parseSourceRepo([{ predicateType: NPM_PROVENANCE_PREDICATE_TYPE, bundle: { dsseEnvelope: { payload } } }]);
	const foundUrl = found ? `https://github.com/${found.owner}/${found.repo}` : 'no source';
	return { passed: foundUrl === repository, message: `repository.url "${repository}" leads the scanner to ${foundUrl}` };
}

/** The files a commit of the working tree would hold (tracked or unignored, not deleted), linted where the scanner finds the package. */
async function sourceLeg(scanner: Scanner, dir: string): Promise<Check> {
	for (const file of (await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).split('\0').filter(Boolean)) {
		if (existsSync(path.join(REPO_ROOT, file))) cpSync(path.join(REPO_ROOT, file), path.join(dir, file));
	}
	const root = scanner.findPackageRoot(dir, manifest.name);
	if (root === dir) return await scanner.analyzePackage(dir, scanner.SOURCE_FILE_PATTERNS);
	return { passed: false, message: `the scanner would lint ${root ? path.relative(dir, root) : 'nothing'}, not the repository root` };
}

async function tarballLeg(scanner: Scanner): Promise<Check> {
	const tarball = await packPackage(REPO_ROOT, { log: (line) => console.log(`  ${line}`) });
	try {
		await runChecked('tar', ['-xzf', tarball, '-C', path.dirname(tarball)]); // into package/, next to the tarball
		return await scanner.analyzePackage(realpathSync(path.join(tarball, '..', 'package')), ['**/*.js', 'package.json']);
	} finally {
		rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const scanner: Scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const source = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ofauth-scan-source-')));
	const checks: Array<[string, () => Promise<Check>]> = [
		["n8n Cloud's rules in the scanner's rule set", () => cloudRulesInForce(scanner)],
		['provenance leads to the source repository', () => provenanceLeadsHere(scanner)],
		['source (package.json, nodes/, credentials/ of the files git tracks)', () => sourceLeg(scanner, source)],
		['packed tarball (**/*.js, package.json)', () => tarballLeg(scanner)],
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
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
