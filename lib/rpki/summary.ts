// The route-validity summary the worker publishes (rpki_state 'route_summary') and the API serves.
// Pure: the zod schema is the contract between the two processes.

import { z } from 'zod';
import { RPKI_SOURCE_KINDS } from '@/lib/rpki/types';

export const ROUTE_SUMMARY_KEY = 'route_summary';

export const routeSummarySchema = z.object({
  counts: z.object({ pairs: z.number(), valid: z.number(), invalid: z.number(), notFound: z.number(), overflow: z.number() }),
  index: z.object({ vrps: z.number(), ipv4: z.number(), ipv6: z.number(), aspas: z.number(), version: z.number(), builtAtMs: z.number(), buildMs: z.number() }),
  sources: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(RPKI_SOURCE_KINDS),
      serial: z.number().nullable(),
      sessionId: z.number().nullable(),
      vrpCount: z.number(),
      aspaCount: z.number(),
      lastSuccessMs: z.number().nullable(),
      lastErrorMs: z.number().nullable(),
      lastError: z.string().nullable(),
      stale: z.boolean(),
    }),
  ),
  revalidation: z.object({ lastMs: z.number().nullable(), lastAtMs: z.number().nullable(), changed: z.number() }),
  anomalies: z.object({ raised: z.number() }),
  /** SLURM (RFC 8416) local exceptions, when RPKI_SLURM_FILE is set. */
  slurm: z
    .object({
      file: z.string(),
      inForce: z.boolean(),
      filters: z.number(),
      assertions: z.number(),
      filtered: z.number(),
      added: z.number(),
      loadedAtMs: z.number().nullable(),
      lastError: z.string().nullable(),
      lastErrorMs: z.number().nullable(),
    })
    .optional(),
  /** EXPERIMENTAL (draft): upstream ASPA verification of announcements seen since start, when ASPA data exists. */
  aspa: z.object({ valid: z.number(), invalid: z.number(), unknown: z.number() }).optional(),
  updatedAtMs: z.number(),
});

export type RouteSummary = z.infer<typeof routeSummarySchema>;
