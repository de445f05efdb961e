import { describe, expect, it } from 'vitest';
import { classifyStatus, drillDownUrl, jsonBody, slackBody, webhookBody } from '@/lib/alerts/format';
import { testPush } from '@/lib/alerts/test-messages';
import { anomalyPushMessageSchema } from '@/lib/detect/push-types';
import { slackBodySchema as slackSchema } from '@/lib/alerts/slack-schema';

describe('webhook bodies', () => {
  const link = drillDownUrl('http://obs.example.net:3000/', '42');
  it('links the drill-down page', () => {
    expect(link).toBe('http://obs.example.net:3000/anomalies/42');
  });

  it('generic JSON is the push message plus why and where', () => {
    const msg = testPush('new');
    const body = jsonBody(msg, 'new', link);
    expect(anomalyPushMessageSchema.parse(body)).toEqual(msg);
    expect(body.notification).toEqual({ reason: 'new', link });
    expect(webhookBody('json', msg, 'new', link)).toEqual(body);
  });

  it('Slack body is valid Block Kit with severity, type, prefix, origins, summary and the link', () => {
    const body = slackBody(testPush('updated', { severity: 'critical', summary: 'AS17557 <hijack> & more' }), 'escalated', link);
    slackSchema.parse(body);
    expect(body.text).toBe('Escalated critical origin change on 208.65.152.0/22: AS17557 <hijack> & more');
    const all = JSON.stringify(body.blocks);
    for (const s of ['critical', 'origin change', '208.65.152.0/22', 'AS36561', 'AS17557', 'AS17557 &lt;hijack&gt; &amp; more', `<${link}|details>`]) expect(all).toContain(s);
    expect(webhookBody('slack', testPush('new'), 'new', link)).toEqual(slackBody(testPush('new'), 'new', link));
  });

  it('Slack body stays within limits for huge summaries and anomalies without prefix or origin', () => {
    const body = slackBody(testPush('resolved', { summary: 'x'.repeat(10_000), prefix: null, originAsn: null, baselineOrigins: [] }), 'resolved', link);
    slackSchema.parse(body);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Resolved high origin change' } });
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, 'ok'], [204, 'ok'], [301, 'fatal'], [400, 'fatal'], [401, 'fatal'], [404, 'fatal'], [410, 'fatal'],
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [503, 'retry'],
  ] as const)('%i → %s', (status, expected) => expect(classifyStatus(status)).toBe(expected));
});
