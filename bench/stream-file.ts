// The benchmark's input: engineer B's seeded demo stream with a large prefix count, written once
// to .data/bench/ and reused (generation is not part of what is measured).

import { createWriteStream, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { generateDemoStream, type DemoOptionsInput } from '@/lib/demo/generator';

export interface StreamFile {
  file: string;
  messages: number;
  /** Prefix events (IPv6 next-hop repeats counted once), what the collector stores. */
  events: number;
  /** Event-time span of the stream (first → last message), ms. */
  spanMs: number;
}

export async function ensureStreamFile(dir: string, maxMessages: number, opts: DemoOptionsInput): Promise<StreamFile> {
  mkdirSync(dir, { recursive: true });
  const name = `stream-${opts.seed ?? 'd'}-${opts.prefixCount}-${opts.messagesPerSecond}-${maxMessages}`;
  const file = path.join(dir, `${name}.ndjson`);
  const metaFile = path.join(dir, `${name}.json`);
  if (existsSync(file) && existsSync(metaFile)) return JSON.parse(readFileSync(metaFile, 'utf8')) as StreamFile;

  const out = createWriteStream(file);
  let messages = 0;
  let events = 0;
  let firstTs: number | null = null;
  let lastTs = 0;
  for (const line of generateDemoStream(opts)) {
    const frame = JSON.parse(line) as { type: string; data: { timestamp: number; announcements?: Array<{ prefixes: string[] }>; withdrawals?: string[] } };
    if (frame.type !== 'ris_message') continue;
    const d = frame.data;
    firstTs ??= d.timestamp;
    lastTs = d.timestamp;
    const announced = new Set<string>();
    for (const a of d.announcements ?? []) for (const p of a.prefixes) announced.add(p);
    events += announced.size + (d.withdrawals?.length ?? 0);
    messages++;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
    if (messages >= maxMessages) break;
  }
  out.end();
  await once(out, 'finish');
  const meta: StreamFile = { file, messages, events, spanMs: Math.round(((lastTs - (firstTs ?? lastTs)) * 1000)) };
  writeFileSync(metaFile, JSON.stringify(meta));
  return meta;
}
