import { describe, expect, it } from 'vitest';
import { ClientSession } from '@/lib/replay/client-session';

const frame = (type: string, data: unknown) => JSON.stringify({ type, data });
const upd = (prefix: string) => ({ type: 'UPDATE', host: 'rrc21.ripe.net', announcements: [{ next_hop: '192.0.2.1', prefixes: [prefix] }] });

describe('ClientSession', () => {
  it('matches nothing until it subscribes', () => {
    const s = new ClientSession();
    expect(s.matches(upd('10.0.0.0/8'))).toBe(false);
    expect(s.handle(frame('ris_subscribe', {})).subscribed).toBe(true);
    expect(s.matches(upd('10.0.0.0/8'))).toBe(true);
  });

  it('splits a prefix array into separately acknowledged and unsubscribable subscriptions', () => {
    const s = new ClientSession();
    const r = s.handle(frame('ris_subscribe', { prefix: ['10.0.0.0/8', '2001:db8::/32'], host: 'rrc21', socketOptions: { acknowledge: true } }));
    expect(r.replies).toEqual([
      { type: 'ris_subscribe_ok', data: { subscription: { prefix: '10.0.0.0/8', host: 'rrc21' }, socketOptions: { includeRaw: false, acknowledge: true } } },
      { type: 'ris_subscribe_ok', data: { subscription: { prefix: '2001:db8::/32', host: 'rrc21' }, socketOptions: { includeRaw: false, acknowledge: true } } },
    ]);
    expect(s.subscriptionCount).toBe(2);
    // Same subscription again is not duplicated.
    s.handle(frame('ris_subscribe', { prefix: '10.0.0.0/8', host: 'rrc21' }));
    expect(s.subscriptionCount).toBe(2);
    // Unsubscribe names it with defaults spelled out and a different host spelling.
    expect(s.handle(frame('ris_unsubscribe', { prefix: '10.0.0.0/8', host: 'rrc21.ripe.net', moreSpecific: true })).replies).toEqual([]);
    expect(s.subscriptionCount).toBe(1);
    expect(s.matches(upd('10.1.0.0/16'))).toBe(false);
    expect(s.matches(upd('2001:db8:1::/48'))).toBe(true);
    expect(s.handle(frame('ris_unsubscribe', { prefix: '10.0.0.0/8', host: 'rrc21' })).replies[0]).toEqual({
      type: 'ris_error',
      data: { message: 'subscription not found' },
    });
  });

  it('lets a later subscription with socketOptions override the earlier ones', () => {
    const s = new ClientSession();
    s.handle(frame('ris_subscribe', { socketOptions: { includeRaw: true, acknowledge: true } }));
    expect([s.includeRaw, s.acknowledge]).toEqual([true, true]);
    s.handle(frame('ris_subscribe', { host: 'rrc00' }));
    expect([s.includeRaw, s.acknowledge]).toEqual([true, true]);
    s.handle(frame('ris_subscribe', { host: 'rrc01', socketOptions: {} }));
    expect([s.includeRaw, s.acknowledge]).toEqual([false, false]);
  });

  it('applies nothing of a subscription that is partly invalid', () => {
    const s = new ClientSession();
    const r = s.handle(frame('ris_subscribe', { prefix: '10.0.0.0/8', path: '1,,2' }));
    expect(r.replies[0]!.type).toBe('ris_error');
    expect(s.subscriptionCount).toBe(0);
    expect(s.handle(frame('ris_subscribe', { type: 'BOGUS' })).replies[0]!.type).toBe('ris_error');
    expect(s.handle(frame('ris_subscribe', 'x')).replies[0]!.type).toBe('ris_error');
  });
});
