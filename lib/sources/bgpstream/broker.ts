// Client of the BGPStream broker data API (v2): lists the MRT dump files (RIBs, updates) of an
// interval for some projects and collectors, paging until the whole interval is covered.

import { getEnv } from '@/lib/env';
import type { DumpFile } from '@/lib/backfill/types';
import { brokerDataUrl, nextPageStart, overlaps, resourceToDumpFile, type BrokerQuery } from '@/lib/sources/bgpstream/broker-query';
import { brokerResponseSchema, type BrokerResource } from '@/lib/sources/bgpstream/broker-schema';
import { DEFAULT_RETRY, isRetryableStatus, PermanentError, withRetry, type RetryOptions } from '@/lib/sources/bgpstream/retry';

export class BrokerError extends Error {
  override name = 'BrokerError';
}

export interface BrokerClientOptions {
  /** Default: BGPSTREAM_BROKER_URL. */
  baseUrl?: string;
  retry?: RetryOptions;
  /** Guard against a broker that never stops answering (each page is ≥ 1 s of new data). */
  maxPages?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface DumpListing {
  files: DumpFile[];
  pages: number;
}

/** Every dump file overlapping [from, to], ordered by initialTime then collector, deduplicated by URL. */
export async function listDumpFiles(q: BrokerQuery, opts: BrokerClientOptions = {}): Promise<DumpListing> {
  if (!(q.from <= q.to)) throw new BrokerError(`interval start ${q.from} is after its end ${q.to}`);
  const baseUrl = opts.baseUrl ?? getEnv().BGPSTREAM_BROKER_URL;
  const maxPages = opts.maxPages ?? 10_000;
  const byUrl = new Map<string, BrokerResource>();
  let cursor: number | null = q.from;
  let pages = 0;
  while (cursor !== null) {
    if (pages >= maxPages) throw new BrokerError(`broker still paging after ${maxPages} pages (at ${cursor} of ${q.to})`);
    const url = brokerDataUrl(baseUrl, { ...q, from: cursor });
    const page = await fetchPage(url, opts);
    pages++;
    for (const r of page) if (overlaps(r, q.from, q.to) && !byUrl.has(r.url)) byUrl.set(r.url, r);
    cursor = nextPageStart(cursor, q.to, page);
  }
  const files = [...byUrl.values()]
    .sort((a, b) => a.initialTime - b.initialTime || a.collector.localeCompare(b.collector) || a.url.localeCompare(b.url))
    .map(resourceToDumpFile);
  return { files, pages };
}

async function fetchPage(url: string, opts: BrokerClientOptions): Promise<BrokerResource[]> {
  return withRetry(async () => {
    let res: Response;
    try {
      res = await fetch(url, { signal: timeoutSignal(opts) });
    } catch (err) {
      throw new BrokerError(`broker request failed: ${err instanceof Error ? err.message : String(err)} (${url})`);
    }
    if (!res.ok) {
      const msg = `broker answered HTTP ${res.status} (${url})`;
      throw isRetryableStatus(res.status) ? new BrokerError(msg) : new PermanentError(msg);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new BrokerError(`broker answered with malformed JSON (${url})`);
    }
    const parsed = brokerResponseSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PermanentError(`unexpected broker response: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'} (${url})`);
    }
    if (parsed.data.error !== null && parsed.data.error !== undefined) {
      throw new PermanentError(`broker error: ${JSON.stringify(parsed.data.error)} (${url})`);
    }
    return parsed.data.data?.resources ?? [];
  }, { ...(opts.retry ?? DEFAULT_RETRY), signal: opts.signal });
}

function timeoutSignal(opts: BrokerClientOptions): AbortSignal {
  const t = AbortSignal.timeout(opts.requestTimeoutMs ?? 60_000);
  return opts.signal ? AbortSignal.any([opts.signal, t]) : t;
}
