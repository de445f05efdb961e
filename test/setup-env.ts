// Runs in every integration/e2e test worker before the test file: puts the URLs that the global
// setup provided into process.env, where lib/env.ts reads them.

import { inject } from 'vitest';
import { resetEnvForTests } from '@/lib/env';

const databaseUrl = inject('databaseUrl');
const redisUrl = inject('redisUrl');
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
if (redisUrl) process.env.REDIS_URL = redisUrl;
resetEnvForTests();
