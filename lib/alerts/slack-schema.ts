// The subset of Slack Block Kit that format.ts sends, with Slack's documented limits: the tests
// check every Slack body against it (a receiver would reject a body outside these limits).

import { z } from 'zod';

const mrkdwn = z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(3000) });

export const slackBodySchema = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('header'), text: z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(150) }) }),
        z.strictObject({ type: z.literal('section'), text: mrkdwn.optional(), fields: z.array(mrkdwn.extend({ text: z.string().min(1).max(2000) })).max(10).optional() }),
        z.strictObject({ type: z.literal('context'), elements: z.array(mrkdwn).min(1).max(10) }),
      ]),
    )
    .min(1)
    .max(50),
});
