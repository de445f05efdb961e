import type { NextConfig } from 'next';
import { getEnv } from './lib/env';

// Database, queue and logging libraries use Node internals (sockets, worker threads, native
// streams): require them at runtime instead of bundling them into the server chunks.
const nextConfig: NextConfig = {
  distDir: getEnv().NEXT_DIST_DIR,
  reactStrictMode: true,
  // The whole repository is type-checked by `npm test` (scripts/typecheck.test.ts); checking it
  // again here took half of every build and let an error in a benchmark stop `npm start`.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  serverExternalPackages: [
    'pg',
    'pg-copy-streams',
    'ioredis',
    'bullmq',
    'pino',
    '@prisma/client',
    '@prisma/adapter-pg',
    'prisma',
  ],
};

export default nextConfig;
