// Prisma CLI configuration. Migrations run on Prisma 6's WASM schema engine through the pg driver
// adapter, because the native schema engine would have to be downloaded (no Internet here).
// See ../shared/STACK.md for why each setting below is needed.

import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { requireDatabaseUrl } from './lib/env';

// adapter-pg cannot read PostgreSQL's internal "char" type (OID 18), which the schema engine's
// introspection queries (migrate dev / diff --from-migrations) return: present it as text.
// Only this CLI process is patched; the application never sees "char" columns.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
type FieldDesc = { dataTypeID: number };
const resultProto = (pg as unknown as { Result: { prototype: { addFields(f: FieldDesc[]): void } } }).Result.prototype;
const originalAddFields = resultProto.addFields;
resultProto.addFields = function addFields(this: unknown, fields: FieldDesc[]) {
  for (const f of fields) if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
  return originalAddFields.call(this, fields);
};

/**
 * Separate fields, not a connection string: adapter-pg builds the shadow database's pool as
 * { ...config, database }, and a connectionString would override that database silently.
 */
function poolConfigFromUrl(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    // The CLI waits for idle connections before exiting.
    idleTimeoutMillis: 100,
  };
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg(poolConfigFromUrl(requireDatabaseUrl())),
});
