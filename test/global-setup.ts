// Vitest global setup for the integration and e2e projects (runs in the main vitest process).
// With DATABASE_URL and REDIS_URL set (npm test sets them) it only makes sure the migrations are
// applied. Without them it starts a private PostgreSQL and Redis under .data/test/vitest-<pid>,
// so `npx vitest run --project integration` works on its own.
// The URLs reach the test workers through provide/inject (test/setup-env.ts copies them into
// process.env): workers may be forked before this runs, so setting process.env here is not enough.

import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { getEnv } from '@/lib/env';
import { startLocalServices, type LocalServices } from '@/lib/infra/local-services';
import { cleanStaleRunDirs, runDirFor } from '@/lib/infra/run-dirs';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

interface Shared {
  users: number;
  ready: Promise<{ databaseUrl: string; redisUrl: string; services: LocalServices | null }>;
}

// Each project imports this file separately; the services are shared through globalThis so
// integration and e2e in one run use one PostgreSQL and one Redis.
const KEY = Symbol.for('bgp-observatory.test-services');
const holder = globalThis as unknown as Record<symbol, Shared | undefined>;

const repoRoot = path.resolve(import.meta.dirname, '..');

async function bringUp(): Promise<{ databaseUrl: string; redisUrl: string; services: LocalServices | null }> {
  const env = getEnv();
  let services: LocalServices | null = null;
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    const base = path.join(repoRoot, '.data', 'test');
    await cleanStaleRunDirs(base);
    services = await startLocalServices({
      baseDir: runDirFor(base, 'vitest'),
      database: 'bgp_observatory_test',
      durability: 'test',
      fresh: true,
      repoRoot,
    });
    // Only the missing one is replaced: a given URL always wins.
    databaseUrl ??= services.databaseUrl;
    redisUrl ??= services.redisUrl;
  }
  const { runMigrations } = await import('@/scripts/migrate');
  try {
    await runMigrations(databaseUrl);
  } catch (err) {
    await services?.stop();
    throw err;
  }
  return { databaseUrl, redisUrl, services };
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = holder[KEY];
  if (!shared) {
    shared = { users: 0, ready: bringUp() };
    holder[KEY] = shared;
  }
  shared.users += 1;
  const { databaseUrl, redisUrl } = await shared.ready;
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    const current = holder[KEY];
    if (!current) return;
    current.users -= 1;
    if (current.users > 0) return;
    holder[KEY] = undefined;
    const { services } = await current.ready;
    if (services) {
      await services.stop();
      const { rmSync } = await import('node:fs');
      rmSync(path.dirname(services.postgres.dataDir), { recursive: true, force: true });
    }
  };
}
