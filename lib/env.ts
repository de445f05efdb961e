// The one place that reads process.env. Everything else receives configuration as arguments
// or calls getEnv(). Parsed lazily so tests can set variables before first use.

import { z } from 'zod';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** HTTP port of the dashboard/API (npm start picks the next free one when taken). */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),

  /**
   * Where `next build` writes and `next start` reads (relative to the repo). The browser tests use
   * their own so they never disturb a running `npm start`.
   */
  NEXT_DIST_DIR: z.string().regex(/^[.\w-]+$/, 'a directory name in the repository root').default('.next'),

  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),

  /** RIS Live WebSocket endpoint; the client name is added as ?client= when missing. */
  RIS_LIVE_URL: z.string().url().default('wss://ris-live.ripe.net/v1/ws/'),
  RIS_LIVE_CLIENT: z.string().min(1).default('bgp-observatory'),
  /**
   * ris_subscribe data object(s) as JSON (one object or an array: subscriptions are OR-ed).
   * Default: every UPDATE (the firehose).
   */
  RIS_SUBSCRIBE: z.string().default('{"type":"UPDATE"}'),
  /** 'live' or 'simulated': set by the launcher when it falls back to the demo replay. */
  FEED_LABEL: z.enum(['live', 'simulated']).default('live'),

  /** Keep the original message with each event row. */
  INGEST_STORE_RAW: boolish.default(true),
  /** Max events per database write. */
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(5_000),
  /** Max time an event waits in the batch before it is written. */
  INGEST_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  /** Concurrent batch writes: 2 lets PostgreSQL use a second core (bench/ingest-throughput.ts). */
  INGEST_WRITERS: z.coerce.number().int().min(1).max(16).default(2),
  /** Events buffered before the collector stops reading and records an overflow gap. */
  INGEST_MAX_BUFFERED: z.coerce.number().int().min(1000).default(200_000),
  /** Hours of raw events kept; older partitions are dropped. */
  EVENT_RETENTION_HOURS: z.coerce.number().int().min(1).default(48),
  /** Frames larger than this are counted as malformed and skipped. */
  RIS_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),

  /** RPKI: RTR cache(s) as host:port, comma-separated. All RPKI sources combine as a union. */
  RPKI_RTR: z.string().optional(),
  /** RPKI: highest RTR version to offer: 1 (RFC 8210, default) or 2 (draft 8210bis, adds ASPA); lower caches negotiate down. */
  RPKI_RTR_VERSION: z.coerce.number().int().min(0).max(2).default(1),
  /** RPKI: VRP JSON export URL(s) (Routinator /json, rpki-client, stayrtr /rpki.json), comma-separated. */
  RPKI_VRP_URL: z.string().optional(),
  /** RPKI: VRP JSON file path(s), comma-separated. */
  RPKI_VRP_FILE: z.string().optional(),
  /** RPKI: seconds between re-reads of VRP JSON URLs/files. */
  RPKI_VRP_REFRESH_S: z.coerce.number().int().min(5).default(600),
  /** RPKI: SLURM file (RFC 8416) of local exceptions (prefix/ASN filters, prefix assertions) applied to every source. */
  RPKI_SLURM_FILE: z.string().optional(),
  /** RPKI: prefixes (comma-separated) whose new invalid routes raise an rpki_invalid anomaly. */
  RPKI_WATCH_PREFIXES: z.string().default(''),
  /** BGPStream broker data API (v2) base URL for archive backfills (lib/sources/bgpstream). */
  BGPSTREAM_BROKER_URL: z.string().url().default('https://broker.bgpstream.caida.org/v2'),
  /** Where downloaded MRT archive files are cached (relative to the working directory). */
  BACKFILL_CACHE_DIR: z.string().min(1).default('.data/cache/mrt'),
  /** Size cap of that cache in MiB: least recently used files are removed after each file (0 = keep none). */
  BACKFILL_CACHE_MAX_MB: z.coerce.number().int().min(0).default(5120),
  /**
   * Keep each MRT record (hex) with backfilled events. Off by default: the archive file already is
   * the raw data, and storing it per event makes backfills ~3x slower (BENCHMARKS.md).
   */
  BACKFILL_STORE_RAW: boolish.default(false),
  /** Webhook targets as JSON (lib/alerts/config.ts); when unset, ALERT_WEBHOOKS_FILE is read if it exists. */
  ALERT_WEBHOOKS: z.string().optional(),
  ALERT_WEBHOOKS_FILE: z.string().min(1).default('config/webhooks.json'),
  /** Base URL of the dashboard as receivers reach it (links in webhook messages). */
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  /** Detection partitions (queues detect-p0..): prefixes are split by their top bits; each is consumed by one process. */
  DETECT_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
  /** Run detection partitions in this worker process (off: this process only feeds the queues). */
  DETECT_ENABLED: boolish.default(true),
  /**
   * Milliseconds between checkpoints of a partition's detector state (route state, open anomalies;
   * ~55 MiB per partition at 1 M prefixes and 4 partitions). Also taken every 400 jobs; the jobs
   * after a checkpoint are kept and re-applied on takeover, so a longer interval loses nothing.
   */
  DETECT_CHECKPOINT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Optional JSON file whose keys override config/detection.json (hot-reloaded). */
  DETECT_CONFIG_OVERRIDE: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | null = null;

export function getEnv(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvForTests(): void {
  cached = null;
}

export function requireDatabaseUrl(): string {
  const url = getEnv().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (npm start / npm test set it for you)');
  return url;
}

export function requireRedisUrl(): string {
  const url = getEnv().REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set (npm start / npm test set it for you)');
  return url;
}
