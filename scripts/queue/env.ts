/**
 * The environment that puts an n8n process (main or worker) into queue mode on the given Redis and
 * PostgreSQL. Every process also gets the same N8N_ENCRYPTION_KEY from createUserFolder.
 */
import type { PostgresServer } from './postgres';
import type { RedisServer } from './redis';

export function queueModeEnv(redis: RedisServer, postgres: PostgresServer): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
	};
}
