/**
 * `npm run scan`: all of n8n's verification scan (@n8n/scan-community-package) that runs without the
 * registry, done by the scanner's own code.
 *
 * Online, `npx @n8n/scan-community-package n8n-nodes-ofauth-vault-plus` reads the published version's
 * npm provenance, downloads the GitHub commit it names, finds the package in it and lints that source
 * (package.json, nodes/, credentials/) and the published tarball (its .js files and package.json).
 * Here, before publishing:
 * - the provenance npm writes for a publish from package.json's repository must lead the scanner back
 *   to that repository (npm refuses a publish whose repository does not match where it runs);
 * - the source is what git would put in that commit (tracked and unignored files), in which the
 *   scanner must find this package.json, then lints as the online scan does;
 * - the tarball is `npm pack`'s, linted as the published one is.
 * Both lint with the scanner's rule set: the community-nodes `recommended` set, which holds n8n Cloud's
 * rules, with eslint-disable comments ignored. Only the provenance check and the downloads need a
 * published version.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { packPackage } from './n8n-instance';
import { runChecked } from './process';

type Scanner = typeof import('@n8n/scan-community-package/scanner/scanner.mjs');

const REPO_ROOT = path.resolve(__dirname, '..');

/** n8n Cloud's rules: `n8n-node lint` names these two when it says a package cannot run on n8n Cloud. */
const CLOUD_RULES = ['@n8n/community-nodes/no-restricted-globals', '@n8n/community-nodes/no-restricted-imports'];

interface Check {
	passed: boolean;
	message?: string;
	details?: string;
}

interface Manifest {
	name: string;
	version: string;
	repository?: { url?: string };
}

async function git(args: string[]): Promise<string> {
	return (await runChecked('git', args, { cwd: REPO_ROOT })).stdout;
}

function temporaryDir(prefix: string): string {
	return realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

async function cloudRulesInForce(scanner: Scanner): Promise<Check> {
	const rules = Object.assign({}, ...(await scanner.buildScanConfig()).map((block) => block.rules ?? {}));
	const missing = CLOUD_RULES.filter((rule) => rules[rule] !== 'error');
	return missing.length === 0
		? { passed: true, message: CLOUD_RULES.join(', ') }
		: { passed: false, message: `the scanner's rule set lacks ${missing.join(', ')}` };
}

/** The statement npm's provenance carries for a publish from GitHub Actions, as the scanner reads it. */
async function provenanceLeadsHere(scanner: Scanner, manifest: Manifest): Promise<Check> {
	const { NPM_PROVENANCE_PREDICATE_TYPE } = await import('@n8n/scan-community-package/scanner/provenance.mjs');
	const repository = String(manifest.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
	const source = {
		uri: `git+${repository}@refs/tags/v${manifest.version}`,
		digest: { gitCommit: (await git(['rev-parse', 'HEAD'])).trim() },
	};
	const statement = { predicate: { buildDefinition: { resolvedDependencies: [source] } } };
	const found = scanner.parseSourceRepo([
		{
			predicateType: NPM_PROVENANCE_PREDICATE_TYPE,
			bundle: { dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64') } },
		},
	]);
	const foundUrl = found ? `https://github.com/${found.owner}/${found.repo}` : undefined;
	return foundUrl === repository
		? { passed: true, message: repository }
		: { passed: false, message: `repository.url "${repository}" leads the scanner to ${foundUrl ?? 'no source'}` };
}

/** The files a commit of the working tree would hold, copied into a directory of their own. */
async function exportSource(): Promise<string> {
	const dir = temporaryDir('ofauth-scan-source-');
	const files = (await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
	for (const file of files) {
		if (!existsSync(path.join(REPO_ROOT, file))) continue; // deleted, not yet committed
		mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
	}
	return dir;
}

async function sourceLeg(scanner: Scanner, manifest: Manifest, dir: string): Promise<Check> {
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

async function main(): Promise<number> {
	const scanner: Scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
	const source = await exportSource();
	const unpacked = temporaryDir('ofauth-scan-tarball-');
	try {
		const checks: Array<[string, () => Promise<Check>]> = [
			["n8n Cloud's rules in the scanner's rule set", () => cloudRulesInForce(scanner)],
			['provenance leads to the source repository', () => provenanceLeadsHere(scanner, manifest)],
			['source (package.json, nodes/, credentials/ of the files git tracks)', () => sourceLeg(scanner, manifest, source)],
			['packed tarball (**/*.js, package.json)', () => tarballLeg(scanner, unpacked)],
		];
		let failed = 0;
		for (const [name, run] of checks) {
			const result = await run();
			console.log(`${result.passed ? 'passed' : 'FAILED'}: ${name}${result.message ? ` (${result.message})` : ''}`);
			if (!result.passed) {
				failed++;
				if (result.details) console.log(result.details);
			}
		}
		console.log('After publishing, the full scan: npx @n8n/scan-community-package n8n-nodes-ofauth-vault-plus');
		return failed === 0 ? 0 : 1;
	} finally {
		rmSync(source, { recursive: true, force: true });
		rmSync(unpacked, { recursive: true, force: true });
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
