// n8n-core's logger prints every NodeApiError stack to stdout; tests assert on errors, not logs.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';
