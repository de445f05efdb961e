// RIS_SUBSCRIBE (one ris_subscribe data object, or an array of them: OR-ed) → validated
// subscriptions. A bad value is a configuration error that names what is wrong.

import { risSubscriptionSchema, type RisSubscription } from '@/lib/sources/ris-live/messages';

export function parseSubscriptionConfig(text: string): RisSubscription[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`RIS_SUBSCRIBE is not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0) throw new Error('RIS_SUBSCRIBE is an empty array: nothing would be received');
  return list.map((item, i) => {
    const parsed = risSubscriptionSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = [Array.isArray(json) ? `[${i}]` : '', ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
      throw new Error(`RIS_SUBSCRIBE${where ? ` ${where}` : ''}: ${issue?.message ?? 'invalid subscription'}`);
    }
    return parsed.data;
  });
}
