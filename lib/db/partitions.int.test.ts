import '@/test/setup-env';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { countEvents, insertEventBatch } from '@/lib/db/events';
import { HOUR_US } from '@/lib/db/event-partition-bounds';
import { dropExpiredEventPartitions, ensureEventPartitions, forgetKnownPartitions, listEventPartitions } from '@/lib/db/partitions';
import { requireDatabaseUrl } from '@/lib/env';
import { makeTestEvent, resetDatabase } from '@/test/helpers/db';

// A year of its own so these partitions never meet the other tests' ones.
const Y0 = Date.UTC(2031, 0, 1, 0, 0, 0) * 1000;
const ours = async () => (await listEventPartitions()).filter((p) => p.fromUs >= Y0 && p.fromUs < Y0 + 400 * 24 * HOUR_US);

afterAll(async () => {
  await dropExpiredEventPartitions(Y0 + 400 * 24 * HOUR_US, 0).catch(() => undefined);
  await closeDb();
});

describe('event partitions', () => {
  it('creates each hour once, even when two processes race', async () => {
    await dropExpiredEventPartitions(Y0 + 400 * 24 * HOUR_US, 0);
    const created = await ensureEventPartitions(Y0 + 10, Y0 + 2 * HOUR_US);
    expect(created).toEqual(['bgp_events_p2031010100', 'bgp_events_p2031010101', 'bgp_events_p2031010102']);
    expect(await ensureEventPartitions(Y0, Y0 + HOUR_US)).toEqual([]);

    // Another process (own pool, own cache) creating overlapping hours at the same moment.
    const other = new pg.Pool({ connectionString: requireDatabaseUrl(), max: 2 });
    try {
      forgetKnownPartitions();
      const [a, b] = await Promise.all([
        ensureEventPartitions(Y0 + 2 * HOUR_US, Y0 + 5 * HOUR_US),
        ensureEventPartitions(Y0 + 3 * HOUR_US, Y0 + 6 * HOUR_US, other),
      ]);
      expect([...a, ...b].sort()).toEqual(['03', '04', '05', '06'].map((h) => `bgp_events_p20310101${h}`));
    } finally {
      await other.end();
    }
    const bounds = await ours();
    expect(bounds.map((p) => p.name)).toHaveLength(7);
    expect(bounds[0]).toEqual({ name: 'bgp_events_p2031010100', fromUs: Y0, toUs: Y0 + HOUR_US });
  });

  it('drops only partitions wholly older than the retention cut-off, and inserts recover', async () => {
    await ensureEventPartitions(Y0, Y0 + 6 * HOUR_US);
    await insertEventBatch([makeTestEvent({ timestampUs: Y0 + 1 }), makeTestEvent({ timestampUs: Y0 + 5 * HOUR_US + 1 })]);
    // now = 03:30, keep 2 h → cut-off 01:30: hour 00 goes, hour 01 (ends 02:00) stays.
    const dropped = await dropExpiredEventPartitions(Y0 + 3.5 * HOUR_US, 2);
    expect(dropped).toEqual(['bgp_events_p2031010100']);
    expect((await ours()).map((p) => p.name)[0]).toBe('bgp_events_p2031010101');
    expect(await countEvents({ timeFromUs: Y0, timeToUs: Y0 + 10 * HOUR_US })).toBe(1);

    // A second pool drops a partition this process still has cached: the insert must recreate it.
    const other = new pg.Pool({ connectionString: requireDatabaseUrl(), max: 1 });
    try {
      await other.query('DROP TABLE bgp_events_p2031010105');
    } finally {
      await other.end();
    }
    expect(await insertEventBatch([makeTestEvent({ timestampUs: Y0 + 5 * HOUR_US + 2 })])).toMatchObject({ inserted: 1 });
    await resetDatabase();
  });

  it('keeps an old hour that was written within the retention (a backfill of past archives)', async () => {
    await resetDatabase();
    const t0 = Date.UTC(2015, 3, 1, 0, 0, 0) * 1000;
    await insertEventBatch([makeTestEvent({ timestampUs: t0 + 1 })], { recordWindows: true });
    const nowUs = Date.now() * 1000;
    // By event time the hour is years past the 2 h retention, but its rows were written just now.
    expect(await dropExpiredEventPartitions(nowUs, 2)).not.toContain('bgp_events_p2015040100');
    expect(await countEvents({ timeFromUs: t0, timeToUs: t0 + HOUR_US })).toBe(1);
    // Once nothing has been written to it for longer than the retention, it goes.
    await getPgPool().query(`UPDATE ingest_windows SET updated_at = now() - interval '3 hours'`);
    expect(await dropExpiredEventPartitions(nowUs, 2)).toContain('bgp_events_p2015040100');
    expect(await countEvents({ timeFromUs: t0, timeToUs: t0 + HOUR_US })).toBe(0);
    await resetDatabase();
  });

  it('does not drop an old hour whose rows are being written while it decides', async () => {
    await resetDatabase();
    const t0 = Date.UTC(2015, 3, 1, 2, 0, 0) * 1000;
    await ensureEventPartitions(t0, t0 + 1);
    // A writer inside its transaction: rows in the old hour and its window counted, not committed yet.
    const writer = await getPgPool().connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO bgp_events (source, collector, peer_asn, peer_ip, event_type, prefix, prefix_length, as_path_length, "timestamp", dedup_key)
         VALUES ('bgpstream_bgp', 'rrc00', 64500, '192.0.2.1', 'withdrawal', '10.0.0.0/8', 8, 0, '2015-04-01T02:00:00Z', 1)`,
      );
      await writer.query(
        `INSERT INTO ingest_windows (source, window_start, window_end, event_count) VALUES ('bgpstream_bgp', '2015-04-01T02:00:00Z', '2015-04-01T02:05:00Z', 1)`,
      );
      const dropping = dropExpiredEventPartitions(Date.now() * 1000, 2);
      await new Promise((r) => setTimeout(r, 300));
      await writer.query('COMMIT');
      expect(await dropping).not.toContain('bgp_events_p2015040102');
    } finally {
      writer.release();
    }
    expect(await countEvents({ timeFromUs: t0, timeToUs: t0 + HOUR_US })).toBe(1);
    await getPgPool().query(`UPDATE ingest_windows SET updated_at = now() - interval '3 hours'`);
    expect(await dropExpiredEventPartitions(Date.now() * 1000, 2)).toContain('bgp_events_p2015040102');
    await resetDatabase();
  });

  it('refuses a reversed range and negative retention', async () => {
    await expect(ensureEventPartitions(Y0 + HOUR_US, Y0)).rejects.toThrow(/reversed/);
    await expect(dropExpiredEventPartitions(Y0, -1)).rejects.toThrow(/retentionHours/);
    expect((await getPgPool().query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
