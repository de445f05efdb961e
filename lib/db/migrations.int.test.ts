import '@/test/setup-env';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireDatabaseUrl } from '@/lib/env';
import { runMigrations } from '@/scripts/migrate';

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

describe('runMigrations', () => {
  it('builds the schema on an empty database, idempotently', async () => {
    const name = `obs_migrate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: withDatabase(requireDatabaseUrl(), 'postgres'), max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    const url = withDatabase(requireDatabaseUrl(), name);
    const db = new pg.Pool({ connectionString: url, max: 1 });
    try {
      // How long this takes (the timer preload saves ~10 s) is not asserted: speed belongs to benches.
      await runMigrations(url);
      await runMigrations(url); // nothing pending: must succeed and change nothing
      const tables = await db.query<{ relname: string; relkind: string }>(
        `SELECT relname, relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY relname`,
      );
      // Later issues add tables of their own: the skeleton's must be there, with bgp_events partitioned.
      expect(tables.rows).toEqual(
        expect.arrayContaining([
          { relname: '_prisma_migrations', relkind: 'r' },
          { relname: 'bgp_anomalies', relkind: 'r' },
          { relname: 'bgp_events', relkind: 'p' },
          { relname: 'ingest_gaps', relkind: 'r' },
          { relname: 'ingest_windows', relkind: 'r' },
        ]),
      );
      const applied = await db.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
      const { readdirSync } = await import('node:fs');
      const dirs = readdirSync(new URL('../../prisma/migrations/', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory());
      expect(applied.rowCount).toBe(dirs.length);
    } finally {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('fails with the CLI output on an unreachable server', async () => {
    await expect(runMigrations('postgresql://nobody@127.0.0.1:1/none')).rejects.toThrow(/migrate deploy failed/);
  });
});
