import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonVrpSource } from '@/lib/rpki/sources/json-source';
import { VrpDocumentError } from '@/lib/rpki/vrp-json';

let body = '';
let status = 200;
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('VRP JSON from a URL', () => {
  it('loads a Routinator-style export, reports unchanged documents, and fails clearly on HTTP errors and bad JSON', async () => {
    const src = createJsonVrpSource('url', `${base}/json`);
    expect(src.id).toBe(`url:${base}/json`);
    body = JSON.stringify({ metadata: { generatedTime: '2026-11-22T12:00:00Z' }, roas: [{ asn: 'AS64500', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' }] });
    const first = await src.load(Date.UTC(2026, 10, 22));
    expect(first.changed && first.doc.vrps).toEqual([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 }]);
    expect(await src.load(Date.UTC(2026, 10, 22))).toEqual({ changed: false });
    status = 503;
    await expect(src.load(Date.UTC(2026, 10, 22))).rejects.toThrow(/HTTP 503/);
    status = 200;
    body = '<html>maintenance</html>';
    await expect(src.load(Date.UTC(2026, 10, 22))).rejects.toThrow(VrpDocumentError);
  });
});
