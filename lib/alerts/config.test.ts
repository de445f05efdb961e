import { describe, expect, it } from 'vitest';
import { describeTarget, parseWebhookConfig, targetIdFor, WebhookConfigError } from '@/lib/alerts/config';

describe('parseWebhookConfig', () => {
  it('fills defaults and derives a stable id without ":"', () => {
    const [t] = parseWebhookConfig('[{"url":"https://hooks.example.net/x"}]', 'ALERT_WEBHOOKS');
    expect(t).toEqual({ id: targetIdFor('https://hooks.example.net/x'), url: 'https://hooks.example.net/x', format: 'json', minSeverity: 'low', types: [], watchedOnly: false, secret: null, timeoutMs: 10_000 });
    expect(t!.id).toMatch(/^wh-[0-9a-f]{12}$/);
    expect(targetIdFor('https://hooks.example.net/y')).not.toBe(t!.id);
  });

  it('reads every field, in the array or { targets } form', () => {
    const text = JSON.stringify({ targets: [{ id: 'noc', url: 'http://127.0.0.1:9/h', format: 'slack', min_severity: 'high', types: ['origin_change', 'origin_change', 'more_specific'], watched_only: true, secret: '0123456789abcdef', timeout_ms: 500 }] });
    expect(parseWebhookConfig(text, 'f')).toEqual([{ id: 'noc', url: 'http://127.0.0.1:9/h', format: 'slack', minSeverity: 'high', types: ['origin_change', 'more_specific'], watchedOnly: true, secret: '0123456789abcdef', timeoutMs: 500 }]);
  });

  it.each([
    ['{', /^src: not JSON/],
    ['[{"url":"ftp://x/y"}]', /^src: 0\.url: must be an http\(s\) URL/],
    ['[{"url":"http://x/y","format":"teams"}]', /^src: 0\.format: must be one of json, slack/],
    ['[{"url":"http://x/y","min_severity":"urgent"}]', /^src: 0\.min_severity: must be one of critical, high, medium, low/],
    ['[{"url":"http://x/y","types":["hijack"]}]', /^src: 0\.types\.0: must list anomaly types/],
    ['[{"url":"http://x/y","secret":"short"}]', /^src: 0\.secret: must be at least 16/],
    ['[{"url":"http://x/y","id":"a:b"}]', /^src: 0\.id: must be 1-64 letters/],
    ['[{"url":"http://x/y","colour":"red"}]', /^src: 0: Unrecognized key/i],
    ['[{"url":"http://x/y","id":"a"},{"url":"http://x/z","id":"a"}]', /^src: target id "a" appears twice/],
  ])('rejects %s', (text, message) => {
    expect(() => parseWebhookConfig(text, 'src')).toThrow(WebhookConfigError);
    expect(() => parseWebhookConfig(text, 'src')).toThrow(message);
  });

  it('describes a target without its secret, credentials or query string', () => {
    const [t] = parseWebhookConfig('[{"url":"https://user:pw@hooks.example.net/services/T0?token=abc","secret":"0123456789abcdef"}]', 'x');
    expect(describeTarget(t!)).toEqual({ id: t!.id, url: 'https://hooks.example.net/services/T0', format: 'json', minSeverity: 'low', types: [], watchedOnly: false, signed: true });
  });
});
