import { describe, expect, it } from 'vitest';
import { parseSubscriptionConfig } from '@/lib/ingest/subscriptions';

describe('parseSubscriptionConfig (RIS_SUBSCRIBE)', () => {
  it('accepts one object or an array of them', () => {
    expect(parseSubscriptionConfig('{"type":"UPDATE"}')).toEqual([{ type: 'UPDATE' }]);
    expect(parseSubscriptionConfig('[{"host":"rrc21","path":"3356"},{"prefix":["193.0.0.0/16"],"moreSpecific":true}]')).toEqual([
      { host: 'rrc21', path: '3356' },
      { prefix: ['193.0.0.0/16'], moreSpecific: true },
    ]);
  });

  it('names what is wrong', () => {
    expect(() => parseSubscriptionConfig('{type:UPDATE}')).toThrow(/not valid JSON/);
    expect(() => parseSubscriptionConfig('[]')).toThrow(/empty array/);
    expect(() => parseSubscriptionConfig('{"type":"UPDATES"}')).toThrow(/RIS_SUBSCRIBE type/);
    expect(() => parseSubscriptionConfig('[{"type":"UPDATE"},{"prefix":"10.0.0.1/8"}]')).toThrow(/RIS_SUBSCRIBE \[1\]\.prefix/);
    expect(() => parseSubscriptionConfig('{"hosts":"rrc00"}')).toThrow(/RIS_SUBSCRIBE/);
  });
});
