import { describe, expect, it } from 'vitest';
import type { BgpEvent } from '@/lib/bgp/types';
import { PipelineInterrupted, runFilePipeline, type FileEventReader, type RecordEvents } from '@/lib/backfill/file-pipeline';
import type { FileProgress } from '@/lib/db/backfills';

const ZERO: FileProgress = { records: 0, events: 0, inserted: 0, duplicates: 0, skipped: 0, byteOffset: 0 };

/** Records of `perRecord` events each; an error after `failAt` records when given. */
function reader(records: number, perRecord: number, o: { failAt?: number; skipAt?: number[]; chunk?: number } = {}): FileEventReader {
  return async function* ({ onSkip }) {
    let out: RecordEvents[] = [];
    for (let i = 0; i < records; i++) {
      if (o.failAt === i) {
        if (out.length) yield out;
        throw Object.assign(new Error(`bad record #${i}`), { byteOffset: i * 100, recordIndex: i });
      }
      if (o.skipAt?.includes(i)) {
        onSkip(i, 'unsupported');
        continue;
      }
      out.push({ recordIndex: i, byteOffset: i * 100, events: Array.from({ length: perRecord }, (_, j) => ({ dedupKey: `${i}-${j}` }) as BgpEvent) });
      if (out.length >= (o.chunk ?? 7)) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  };
}

/** An in-memory table with primary-key dedup, like bgp_events. */
function table() {
  const keys = new Set<string>();
  return {
    keys,
    insert: async (events: BgpEvent[]) => {
      let inserted = 0;
      for (const e of events) if (!keys.has(e.dedupKey) && keys.add(e.dedupKey)) inserted++;
      await new Promise((r) => setTimeout(r, 1));
      return { inserted, duplicates: events.length - inserted, rejected: 0 };
    },
  };
}

describe('runFilePipeline', () => {
  it('stores every event, batching between records, and commits monotonically', async () => {
    const t = table();
    const commits: FileProgress[] = [];
    const r = await runFilePipeline('f', 'rrc00', ZERO, { read: reader(100, 3), insert: t.insert, commit: async (p) => void commits.push(p), batchSize: 10 });
    expect(r.failure).toBeNull();
    expect(r.progress).toMatchObject({ records: 100, events: 300, inserted: 300, duplicates: 0, skipped: 0, byteOffset: 9900 });
    expect(t.keys.size).toBe(300);
    for (let i = 1; i < commits.length; i++) expect(commits[i]!.records).toBeGreaterThan(commits[i - 1]!.records);
    expect(commits.at(-1)).toEqual(r.progress);
  });

  it('resumes after the committed records and ends with the rows of a clean run', async () => {
    const clean = table();
    await runFilePipeline('f', 'rrc00', ZERO, { read: reader(50, 2), insert: clean.insert, commit: async () => {}, batchSize: 8 });

    // First attempt "dies" after some commits; the last batch was inserted but not committed.
    const t = table();
    const commits: FileProgress[] = [];
    await expect(
      runFilePipeline('f', 'rrc00', ZERO, {
        read: reader(50, 2),
        insert: t.insert,
        commit: async (p) => {
          if (commits.length === 3) throw new Error('killed');
          commits.push(p);
        },
        batchSize: 8,
        writers: 1,
      }),
    ).rejects.toThrow('killed');
    const resumeFrom = commits.at(-1)!;
    const r = await runFilePipeline('f', 'rrc00', resumeFrom, { read: reader(50, 2), insert: t.insert, commit: async () => {}, batchSize: 8 });
    expect([...t.keys].sort()).toEqual([...clean.keys].sort());
    expect(r.progress.records).toBe(50);
    expect(r.progress.events).toBe(100);
    expect(r.progress.inserted + r.progress.duplicates).toBe(100);
  });

  it('keeps the good records before a parse error and reports where it stopped', async () => {
    const t = table();
    const r = await runFilePipeline('f', 'rrc00', ZERO, { read: reader(40, 1, { failAt: 23 }), insert: t.insert, commit: async () => {}, batchSize: 5 });
    expect(t.keys.size).toBe(23);
    expect(r.failure).toEqual({ message: 'bad record #23', byteOffset: 2300, recordIndex: 23 });
    expect(r.progress.records).toBe(23);
  });

  it('counts skipped records and propagates write errors instead of calling them parse errors', async () => {
    const t = table();
    const r = await runFilePipeline('f', 'rrc00', ZERO, { read: reader(20, 1, { skipAt: [3, 4] }), insert: t.insert, commit: async () => {}, batchSize: 4 });
    expect(r.progress.skipped).toBe(2);
    expect(r.progress.events).toBe(18);
    await expect(
      runFilePipeline('f', 'rrc00', ZERO, {
        read: reader(20, 1),
        insert: async () => {
          throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        },
        commit: async () => {},
        batchSize: 4,
      }),
    ).rejects.toThrow('connection refused');
  });

  it('stops on shutdown after committing what it read, and a resume completes the file', async () => {
    const t = table();
    const ac = new AbortController();
    const commits: FileProgress[] = [];
    const err = await runFilePipeline('f', 'rrc00', ZERO, {
      read: reader(60, 2),
      insert: t.insert,
      commit: async (p) => {
        commits.push(p);
        ac.abort();
      },
      batchSize: 10,
      signal: ac.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInterrupted);
    const at = commits.at(-1)!;
    expect(at.records).toBeLessThan(60);
    expect(t.keys.size).toBe(at.events);
    const r = await runFilePipeline('f', 'rrc00', at, { read: reader(60, 2), insert: t.insert, commit: async () => {}, batchSize: 10 });
    expect(r.progress).toMatchObject({ records: 60, events: 120, inserted: 120, duplicates: 0 });
    expect(t.keys.size).toBe(120);
  });
});
