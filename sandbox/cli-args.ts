/**
 * The sandbox CLI's flags: parsed into startSandbox options, and the usage text that documents
 * them. Values are checked by the same validators as the admin API.
 */
import type { LatencyInput } from './latency';
import type { RateLimitInput } from './rate-limit-config';
import { loadSeedFile } from './seed';
import type { SandboxOptions } from './server';

const DEFAULT_PORT = 4010;
const DEFAULT_HOST = '127.0.0.1';

export const USAGE = `Usage: npm run sandbox -- [options]

  --port <n>               Port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --host <address>         Address to listen on (default ${DEFAULT_HOST})
  --seed <file.json>       Seed to start from (default: the bundled sandbox/seed.json)

Rate limit of the Access/Vault+ API, per connection (a token bucket; off unless a flag is given):
  --rate-limit             Turn it on, with the defaults below
  --capacity <n>           Burst: tokens a full bucket holds (default 90)
  --refill-per-second <n>  Tokens regained per second; fractions allowed (default 1 = 60/min)
  --no-retry-after         Send no Retry-After header on a 429

Latency:
  --latency-ms <n>         Each successful sync takes this long to answer (default 0)
  --other-latency-ms <n>   Each other successful API request takes this long (default 0)

  --help                   Show this text

All of these can be changed while it runs, under /__sandbox/ (see the listing printed at start).`;

const VALUE_FLAGS = [
	'port',
	'host',
	'seed',
	'capacity',
	'refill-per-second',
	'latency-ms',
	'other-latency-ms',
];
const BOOLEAN_FLAGS = ['rate-limit', 'no-retry-after', 'help'];

export interface CliArgs {
	help: boolean;
	options: SandboxOptions;
}

export function parseArgs(args: string[]): CliArgs {
	const values = new Map<string, string>();
	const flags = new Set<string>();
	for (let i = 0; i < args.length; i++) {
		if (!args[i].startsWith('--')) throw new Error(`Unexpected argument "${args[i]}"\n\n${USAGE}`);
		const [name, inline] = args[i].slice(2).split(/=(.*)/s, 2);
		if (BOOLEAN_FLAGS.includes(name) && inline === undefined) flags.add(name);
		else if (VALUE_FLAGS.includes(name)) {
			const value = inline ?? args[++i];
			if (value === undefined) throw new Error(`--${name} needs a value`);
			values.set(name, value);
		} else throw new Error(`Unknown option "${args[i]}"\n\n${USAGE}`);
	}
	const port = Number(values.get('port') ?? DEFAULT_PORT);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`--port must be an integer between 0 and 65535`);
	}
	const seedPath = values.get('seed');
	return {
		help: flags.has('help'),
		options: {
			port,
			host: values.get('host') ?? DEFAULT_HOST,
			seed: seedPath ? loadSeedFile(seedPath) : undefined,
			rateLimit: rateLimitOf(values, flags),
			latency: latencyOf(values),
		},
	};
}

/** DECISION: any rate-limit flag turns the rate limit on, as any rate-limit setting does. */
function rateLimitOf(values: Map<string, string>, flags: Set<string>): RateLimitInput | undefined {
	const config: RateLimitInput = {};
	if (values.has('capacity')) config.capacity = Number(values.get('capacity'));
	if (values.has('refill-per-second')) {
		config.refillPerSecond = Number(values.get('refill-per-second'));
	}
	if (flags.has('no-retry-after')) config.retryAfter = false;
	const given = flags.has('rate-limit') || Object.keys(config).length > 0;
	return given ? config : undefined;
}

function latencyOf(values: Map<string, string>): LatencyInput | undefined {
	const config: LatencyInput = {};
	if (values.has('latency-ms')) config.syncMs = Number(values.get('latency-ms'));
	if (values.has('other-latency-ms')) config.otherMs = Number(values.get('other-latency-ms'));
	return Object.keys(config).length > 0 ? config : undefined;
}
