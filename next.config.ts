import type { NextConfig } from 'next';

// Database, queue and logging libraries use Node internals (sockets, worker threads, native
// streams): require them at runtime instead of bundling them into the server chunks.
const nextConfig: NextConfig = {
  reactStrictMode: true,
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
