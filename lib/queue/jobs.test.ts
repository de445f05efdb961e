import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_JOBS, collectorJob, defineJob, findJob, partitionMaintenanceJob, QUEUE_NAMES } from '@/lib/queue/jobs';

describe('job definitions', () => {
  it('have unique names per queue, known queues, ids without ":" and trimmed history', () => {
    const keys = ALL_JOBS.map((j) => `${j.queue}/${j.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const j of ALL_JOBS) {
      expect(QUEUE_NAMES).toContain(j.queue);
      expect(j.defaults.jobId ?? '').not.toContain(':');
      expect(j.defaults.removeOnComplete).toBeTruthy();
      expect(j.defaults.removeOnFail).toBeTruthy();
    }
    expect(collectorJob.defaults.jobId).toBe('ris-live');
  });

  it('refuses a job id with ":"', () => {
    expect(() => defineJob({ name: 'x', queue: 'maintenance', schema: z.object({}), defaults: { jobId: 'a:b' } })).toThrow(/':'/);
  });

  it('validates payloads with the job schema', () => {
    expect(partitionMaintenanceJob.schema.safeParse({ aheadHours: 3, retentionHours: 48 }).success).toBe(true);
    expect(partitionMaintenanceJob.schema.safeParse({ aheadHours: 0, retentionHours: 48 }).success).toBe(false);
    expect(collectorJob.schema.safeParse({ unexpected: 1 }).success).toBe(false);
  });

  it('finds a job by queue and name', () => {
    expect(findJob('collector', 'ris-live')).toBe(collectorJob);
    expect(findJob('maintenance', 'ris-live')).toBeUndefined();
  });
});
