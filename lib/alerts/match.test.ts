import { describe, expect, it } from 'vitest';
import { decideNotification, decodeNotified, encodeNotified, matchesTarget } from '@/lib/alerts/match';
import { testPush } from '@/lib/alerts/test-messages';
import type { WebhookTarget } from '@/lib/alerts/types';

const target = (over: Partial<WebhookTarget> = {}): WebhookTarget => ({ id: 't', url: 'http://x/', format: 'json', minSeverity: 'low', types: [], watchedOnly: false, secret: null, timeoutMs: 1000, ...over });

describe('matchesTarget', () => {
  it('applies min severity (inclusive), types and watched-only', () => {
    expect(matchesTarget(target({ minSeverity: 'high' }), testPush('new', { severity: 'high' }))).toBe(true);
    expect(matchesTarget(target({ minSeverity: 'high' }), testPush('new', { severity: 'critical' }))).toBe(true);
    expect(matchesTarget(target({ minSeverity: 'high' }), testPush('new', { severity: 'medium' }))).toBe(false);
    expect(matchesTarget(target({ types: ['more_specific'] }), testPush('new'))).toBe(false);
    expect(matchesTarget(target({ types: ['more_specific', 'origin_change'] }), testPush('new'))).toBe(true);
    expect(matchesTarget(target({ watchedOnly: true }), testPush('new'))).toBe(false);
    expect(matchesTarget(target({ watchedOnly: true }), testPush('new', { watched: true }))).toBe(true);
  });
});

describe('decideNotification', () => {
  const t = target({ minSeverity: 'high' });
  it.each([
    ['a new matching anomaly', testPush('new'), null, { send: true, reason: 'new', next: { severity: 'high', resolved: false } }],
    ['an update first matching (escalated into the filter)', testPush('updated'), null, { send: true, reason: 'new', next: { severity: 'high', resolved: false } }],
    ['an evidence update at the same severity', testPush('updated'), { severity: 'high', resolved: false }, { send: false, why: 'evidence update without a severity increase' }],
    ['a severity increase', testPush('updated', { severity: 'critical' }), { severity: 'high', resolved: false }, { send: true, reason: 'escalated', next: { severity: 'critical', resolved: false } }],
    ['a severity decrease', testPush('updated', { severity: 'high' }), { severity: 'critical', resolved: false }, { send: false, why: 'evidence update without a severity increase' }],
    ['a message below the filter', testPush('new', { severity: 'medium' }), null, { send: false, why: 'does not match the target filters' }],
    ['the end of a notified anomaly', testPush('resolved', { status: 'resolved' }), { severity: 'high', resolved: false }, { send: true, reason: 'resolved', next: { severity: 'high', resolved: true } }],
    ['the end, even after it fell below the filter', testPush('resolved', { status: 'resolved', severity: 'low' }), { severity: 'high', resolved: false }, { send: true, reason: 'resolved', next: { severity: 'high', resolved: true } }],
    ['a withdrawn status in an update', testPush('updated', { status: 'withdrawn' }), { severity: 'high', resolved: false }, { send: true, reason: 'resolved', next: { severity: 'high', resolved: true } }],
    ['a second end', testPush('resolved', { status: 'resolved' }), { severity: 'high', resolved: true }, { send: false, why: 'end already notified' }],
    ['the end of one never notified', testPush('resolved', { status: 'resolved' }), null, { send: false, why: 'ended before it was ever notified' }],
    ['an acknowledged anomaly', testPush('updated', { status: 'acknowledged', severity: 'critical' }), { severity: 'high', resolved: false }, { send: false, why: 'status acknowledged' }],
    ['a re-opened anomaly after its end', testPush('updated'), { severity: 'high', resolved: true }, { send: true, reason: 'new', next: { severity: 'high', resolved: false } }],
  ] as const)('%s', (_name, msg, last, expected) => {
    expect(decideNotification(t, msg, last)).toEqual(expected);
  });
});

describe('notified state encoding', () => {
  it('round-trips and rejects garbage', () => {
    for (const s of [{ severity: 'low', resolved: false }, { severity: 'critical', resolved: true }] as const) expect(decodeNotified(encodeNotified(s))).toEqual(s);
    expect(decodeNotified(null)).toBeNull();
    expect(decodeNotified('urgent')).toBeNull();
  });
});
