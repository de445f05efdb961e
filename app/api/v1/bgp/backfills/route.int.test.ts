// The backfill API against real PostgreSQL and Redis: route handlers called with Request objects.
// POST enqueues (no worker runs here); the queue keys it wrote are removed afterwards.

import { afterAll, describe, expect, it } from 'vitest';
import { backfillDetailSchema, backfillListSchema } from '@/lib/api/backfills';
import { closeDb } from '@/lib/db/client';
import { closeBackfillFlows } from '@/lib/queue/backfill-flow';
import { createRedisConnection } from '@/lib/queue/connection';
import { closeQueues } from '@/lib/queue/jobs';
import { GET as list, POST as create } from '@/app/api/v1/bgp/backfills/route';
import { GET as getOne } from '@/app/api/v1/bgp/backfills/[id]/route';

const post = (body: unknown) =>
  create(new Request('http://localhost/api/v1/bgp/backfills', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }));

afterAll(async () => {
  await closeBackfillFlows();
  await closeQueues();
  const redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'bull:backfill:*', 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  await closeDb();
});

describe('/api/v1/bgp/backfills', () => {
  const created: string[] = [];

  it('POST answers 202 with the run id (files and archive forms)', async () => {
    const a = await post({ files: ['/nonexistent/updates.20150401.0000.gz'], collector: 'rrc06' });
    expect(a.status).toBe(202);
    const idA = ((await a.json()) as { data: { id: string } }).data.id;
    expect(idA).toMatch(/^\d+$/);
    const b = await post({ from: '2015-04-01T00:00:00Z', to: 1427850000, collectors: ['rrc06'], type: 'updates' });
    expect(b.status).toBe(202);
    created.push(idA, ((await b.json()) as { data: { id: string } }).data.id);
  });

  it('POST rejects bad bodies with 400 naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /body: must be JSON/],
      [{ files: [] }, /files: must list at least one file/],
      [{ from: 'yesterday', to: 1, type: 'updates' }, /from: must be ISO-8601/],
      [{ from: 10, to: 5, type: 'updates' }, /from: must not be after to/],
      [{ from: 1, to: 5, type: 'rib' }, /type: must be one of updates, ribs/],
      [{ files: ['a'], extra: 1 }, /extra/],
    ];
    for (const [body, re] of cases) {
      const r = await post(body);
      expect(r.status).toBe(400);
      const j = (await r.json()) as { error: { code: string; message: string } };
      expect(j.error.code).toBe('invalid_parameter');
      expect(j.error.message).toMatch(re);
    }
  });

  it('GET lists runs newest first with progress fields and pages with a cursor', async () => {
    const r = await list(new Request('http://localhost/api/v1/bgp/backfills?limit=1'));
    expect(r.status).toBe(200);
    const page = backfillListSchema.parse(await r.json());
    expect(page.data).toHaveLength(1);
    expect(page.data[0]!.id).toBe(created[1]);
    expect(page.data[0]).toMatchObject({ status: 'planning', params: { kind: 'archive', from: 1427846400, to: 1427850000, collectors: ['rrc06'] } });
    expect(page.next_cursor).not.toBeNull();
    const r2 = await list(new Request(`http://localhost/api/v1/bgp/backfills?limit=1&cursor=${page.next_cursor}`));
    const page2 = backfillListSchema.parse(await r2.json());
    expect(page2.data[0]).toMatchObject({ id: created[0], status: 'running', files_total: 1, files_done: 0, progress: 0 });
    expect((await list(new Request('http://localhost/api/v1/bgp/backfills?cursor=bogus!'))).status).toBe(400);
    expect((await list(new Request('http://localhost/api/v1/bgp/backfills?cursor=Zm9v'))).status).toBe(400);
  });

  it('GET /{id} returns the run with its files; 404 and 400 otherwise', async () => {
    const r = await getOne(new Request('http://x'), { params: Promise.resolve({ id: created[0]! }) });
    expect(r.status).toBe(200);
    const d = backfillDetailSchema.parse(await r.json()).data;
    expect(d.files).toHaveLength(1);
    expect(d.files[0]).toMatchObject({ collector: 'rrc06', dump_type: 'updates', status: 'pending', interval_start: '2015-04-01T00:00:00.000000Z' });
    expect((await getOne(new Request('http://x'), { params: Promise.resolve({ id: '999999999' }) })).status).toBe(404);
    expect((await getOne(new Request('http://x'), { params: Promise.resolve({ id: 'abc' }) })).status).toBe(400);
  });
});
