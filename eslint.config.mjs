// `n8n-node lint` runs `eslint .` with this file: n8n's own config for community nodes, n8n Cloud's
// rules included, over what ships (nodes/, credentials/, package.json). The tooling runs n8n, servers
// and benchmarks with process, timers and child processes, which those rules forbid, so it is left to
// `tsc --noEmit` in `npm run lint`; README, "Verification and security", says why strict mode is off.
import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

export default [
	...config,
	globalIgnores(['test/', 'sandbox/', 'scripts/', 'bench/', 'coverage/', '.e2e/', 'demo-output/', '.bench-build/']),
];
