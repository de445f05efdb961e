// Command-line arguments of `npm run backfill`, parsed with zod.

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseTimeToMicros } from '@/lib/api/contracts';
import { DUMP_TYPES, type BackfillRequest } from '@/lib/backfill/types';

export const BACKFILL_USAGE = `usage: npm run backfill -- --file <mrt> [--file <mrt> ...] [--collector <name>] [options]
       npm run backfill -- --from <time> --to <time> [--collector rrc00 ...] [--project ris] [--type updates|ribs] [options]
  Local MRT files (plain, gzip, bzip2; paths or http(s) URLs), or the archive files the BGPStream broker
  (BGPSTREAM_BROKER_URL) lists for an interval. Times: ISO-8601 (2026-11-22T10:00:00Z) or unix seconds.
  --collector may repeat or be comma-separated (archives; for files it names the collector of all of them).
  Options:
    --inline        process in this process, without a worker
    --no-wait       enqueue the run, print its id and exit
    --batch-size N  events per database write (inline; default INGEST_BATCH_SIZE)
  Needs PostgreSQL (DATABASE_URL) and, unless --inline, Redis (REDIS_URL) and a worker (npm run worker).`;

const timeArg = (name: string) =>
  z.string().transform((s, ctx) => {
    const us = parseTimeToMicros(s);
    if (us === null) {
      ctx.addIssue({ code: 'custom', message: `--${name} must be ISO-8601 or unix seconds, got ${JSON.stringify(s)}` });
      return z.NEVER;
    }
    return Math.floor(us / 1_000_000);
  });

const argsSchema = z
  .object({
    files: z.array(z.string().min(1)),
    from: timeArg('from').optional(),
    to: timeArg('to').optional(),
    collectors: z.array(z.string().regex(/^[a-z0-9][a-z0-9.\-_]{0,63}$/i, '--collector must be a collector name such as rrc21')),
    projects: z.array(z.string().regex(/^[a-z0-9-]{1,32}$/, '--project must be a project name such as ris or routeviews')),
    type: z.enum(DUMP_TYPES, { error: `--type must be one of ${DUMP_TYPES.join(', ')}` }).default('updates'),
    inline: z.boolean().default(false),
    wait: z.boolean().default(true),
    batchSize: z
      .string()
      .regex(/^\d+$/, '--batch-size must be a positive integer')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 100_000, '--batch-size must be 1..100000')
      .optional(),
  })
  .superRefine((a, ctx) => {
    const archive = a.from !== undefined || a.to !== undefined;
    if (a.files.length > 0 && archive) ctx.addIssue({ code: 'custom', message: 'give either --file or --from/--to, not both' });
    if (a.files.length === 0 && !archive) ctx.addIssue({ code: 'custom', message: 'nothing to do: give --file <mrt> or --from/--to' });
    if (archive && (a.from === undefined || a.to === undefined)) ctx.addIssue({ code: 'custom', message: '--from and --to go together' });
    if (a.from !== undefined && a.to !== undefined && a.from > a.to) ctx.addIssue({ code: 'custom', message: '--from must not be after --to' });
    if (a.files.length > 0 && a.collectors.length > 1) ctx.addIssue({ code: 'custom', message: 'with --file, --collector names one collector' });
  });

export interface BackfillArgs {
  request: BackfillRequest;
  inline: boolean;
  wait: boolean;
  batchSize?: number;
}

/** Throws an Error whose message says which argument is wrong and why. */
export function parseBackfillArgs(argv: string[]): BackfillArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      file: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      collector: { type: 'string', multiple: true },
      project: { type: 'string', multiple: true },
      type: { type: 'string' },
      inline: { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      'batch-size': { type: 'string' },
    },
  });
  const split = (xs: string[] | undefined) => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const parsed = argsSchema.safeParse({
    files: [...(values.file ?? []), ...positionals],
    from: values.from,
    to: values.to,
    collectors: split(values.collector),
    projects: split(values.project),
    type: values.type,
    inline: values.inline,
    wait: values['no-wait'] ? false : undefined,
    batchSize: values['batch-size'],
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const a = parsed.data;
  const request: BackfillRequest =
    a.files.length > 0
      ? { kind: 'files', files: a.files, ...(a.collectors[0] ? { collector: a.collectors[0] } : {}) }
      : { kind: 'archive', from: a.from!, to: a.to!, collectors: a.collectors, projects: a.projects, type: a.type };
  return { request, inline: a.inline, wait: a.wait, ...(a.batchSize !== undefined ? { batchSize: a.batchSize } : {}) };
}
