// The process's database handles: one Prisma client (typed access to the small tables) and one
// pg pool (bulk writes and raw reads of bgp_events). Both are created lazily from DATABASE_URL
// and closed together by closeDb(). lib/db is the only place that imports either.

import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/db/generated/client';
import { requireDatabaseUrl } from '@/lib/env';
import { getLogger } from '@/lib/log';

export type { PrismaClient };

let prisma: PrismaClient | null = null;
let pool: pg.Pool | null = null;

export function getPrisma(): PrismaClient {
  if (!prisma) {
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: requireDatabaseUrl() }) });
  }
  return prisma;
}

export function getPgPool(): pg.Pool {
  if (!pool) {
    const p = new pg.Pool({ connectionString: requireDatabaseUrl(), max: 10, idleTimeoutMillis: 30_000 });
    // An idle client losing its connection (server restart) must not crash the process:
    // the pool drops it and the next query opens a fresh one.
    p.on('error', (err) => getLogger().warn({ module: 'db', err }, 'idle PostgreSQL connection lost'));
    pool = p;
  }
  return pool;
}

/** Closes both handles; the next get*() call opens new ones (tests switch databases this way). */
export async function closeDb(): Promise<void> {
  const [p, q] = [prisma, pool];
  prisma = null;
  pool = null;
  await Promise.all([p?.$disconnect(), q?.end()]);
}
