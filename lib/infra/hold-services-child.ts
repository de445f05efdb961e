// Test helper process (lib/infra/*.int.test.ts): starts PostgreSQL + Redis under the directory
// given as argv[2], prints their pids as one JSON line, then waits to be killed. The test
// SIGKILLs it and checks that the services die with it.

import { startLocalServices } from '@/lib/infra/local-services';

const baseDir = process.argv[2];
if (!baseDir) {
  console.error('usage: hold-services-child.ts <baseDir>');
  process.exit(2);
}
const services = await startLocalServices({ baseDir, database: 'hold', durability: 'test', fresh: true });
console.log(
  JSON.stringify({ postgresPid: services.postgres.process.pid, redisPid: services.redis.process.pid, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl }),
);
// Never outlive the test that started us, even if it fails before killing us.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500);
