// zod form of FeedState: validated where it is read back from Redis (health, SSE) and where the
// browser parses the push stream. One schema, checked against the type it must describe.

import { z } from 'zod';
import type { FeedState } from '@/lib/feed/types';

export const feedStateSchema = z.object({
  url: z.string(),
  label: z.enum(['live', 'simulated']),
  connection: z.enum(['connecting', 'connected', 'disconnected', 'stopped']),
  messagesPerSecond: z.number(),
  eventsPerSecond: z.number(),
  totalMessages: z.number(),
  totalEvents: z.number(),
  malformedFrames: z.number(),
  lastMessageAtMs: z.number().nullable(),
  lastEventTimeUs: z.number().nullable(),
  lastGap: z.object({ startedAtMs: z.number(), endedAtMs: z.number(), reason: z.string() }).nullable(),
  reconnects: z.number(),
  updatedAtMs: z.number(),
}) satisfies z.ZodType<FeedState>;
