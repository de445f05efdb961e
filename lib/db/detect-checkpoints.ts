// Checkpoints of the detection partitions (detect_checkpoints): the route state (binary, see
// lib/detect/route-state.ts#checkpoint), the open anomalies, the event time reached and the id of
// the last BullMQ job folded in. Written by the partition's owner only (it holds the Redis lease).

import type pg from 'pg';
import { z } from 'zod';
import { getPgPool } from '@/lib/db/client';
import type { PartitionCheckpoint } from '@/lib/detect/pipeline/partition-detector';
import type { Anomaly } from '@/lib/detect/types';

export interface StoredDetectCheckpoint extends PartitionCheckpoint {
  lastJobId: number;
  jobs: number;
  updatedAtMs: number;
}

// Only the shape the tracker needs to re-open an anomaly is checked: a row from an older version
// that does not fit is dropped (with the rest of the checkpoint still usable) rather than crashing.
const openAnomalySchema = z
  .object({ type: z.string(), entityKey: z.string(), dedupKey: z.string(), startedAtUs: z.number(), status: z.literal('ongoing'), evidence: z.object({ peers: z.array(z.string()) }).loose() })
  .loose();

export async function saveDetectCheckpoint(
  partitionCount: number,
  partition: number,
  cp: PartitionCheckpoint & { lastJobId: number; jobs: number },
  db: pg.Pool = getPgPool(),
): Promise<void> {
  await db.query(
    `INSERT INTO detect_checkpoints (partition_count, partition, route_state, open_anomalies, event_time_us, last_job_id, jobs, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, now())
     ON CONFLICT (partition_count, partition) DO UPDATE SET route_state = EXCLUDED.route_state, open_anomalies = EXCLUDED.open_anomalies,
       event_time_us = EXCLUDED.event_time_us, last_job_id = EXCLUDED.last_job_id, jobs = EXCLUDED.jobs, updated_at = now()`,
    [partitionCount, partition, cp.routeState, JSON.stringify(cp.open), cp.nowUs, cp.lastJobId, cp.jobs],
  );
}

export async function loadDetectCheckpoint(partitionCount: number, partition: number, db: pg.Pool = getPgPool()): Promise<{ checkpoint: StoredDetectCheckpoint; droppedAnomalies: number } | null> {
  const r = await db.query<{ route_state: Buffer; open_anomalies: unknown; event_time_us: string; last_job_id: string; jobs: string; updated_ms: string }>(
    `SELECT route_state, open_anomalies, event_time_us::text, last_job_id::text, jobs::text, (extract(epoch FROM updated_at) * 1000)::bigint::text AS updated_ms
       FROM detect_checkpoints WHERE partition_count = $1 AND partition = $2`,
    [partitionCount, partition],
  );
  const row = r.rows[0];
  if (!row) return null;
  const list = Array.isArray(row.open_anomalies) ? row.open_anomalies : [];
  const open = list.filter((a) => openAnomalySchema.safeParse(a).success) as Anomaly[];
  return {
    checkpoint: { routeState: row.route_state, open, nowUs: Number(row.event_time_us), lastJobId: Number(row.last_job_id), jobs: Number(row.jobs), updatedAtMs: Number(row.updated_ms) },
    droppedAnomalies: list.length - open.length,
  };
}

export async function deleteDetectCheckpoints(db: pg.Pool = getPgPool()): Promise<void> {
  await db.query('DELETE FROM detect_checkpoints');
}
