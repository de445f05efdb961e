// Runs after npm install/ci: generates the Prisma client (needs a DATABASE_URL that parses,
// never connects; without one Prisma 6 tries to download a query engine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('prisma/schema.prisma')) {
  const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgresql://placeholder@127.0.0.1:1/placeholder', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
