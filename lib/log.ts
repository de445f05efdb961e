// One structured logger; modules take child loggers (logger.child({ module: 'x' })).

import { pino, type Logger } from 'pino';
import { getEnv } from '@/lib/env';

let root: Logger | null = null;

export function getLogger(): Logger {
  if (!root) {
    root = pino({
      level: getEnv().LOG_LEVEL,
      redact: { paths: ['*.password', '*.DATABASE_URL', '*.REDIS_URL', 'databaseUrl', 'redisUrl'], censor: '[redacted]' },
    });
  }
  return root;
}

export type { Logger };
