// The BGPStream broker's v2 `data` response, validated before use (PROTOCOLS.md §2.1). Unknown
// top-level keys are tolerated (deployments add some); the fields we rely on are checked.

import { z } from 'zod';

export const brokerResourceSchema = z.object({
  url: z.string().min(1),
  format: z.string().optional(),
  transport: z.string().optional(),
  project: z.string().min(1),
  collector: z.string().min(1),
  type: z.string().min(1),
  initialTime: z.number().int().nonnegative(),
  duration: z.number().int().nonnegative(),
  attr: z.unknown().optional(),
});
export type BrokerResource = z.infer<typeof brokerResourceSchema>;

export const brokerResponseSchema = z.object({
  version: z.union([z.literal('2'), z.literal(2)]),
  time: z.number().optional(),
  type: z.string().optional(),
  error: z.unknown().nullable().optional(),
  queryParameters: z.unknown().optional(),
  data: z
    .object({ resources: z.array(brokerResourceSchema) })
    .nullable()
    .optional(),
});
export type BrokerResponse = z.infer<typeof brokerResponseSchema>;
