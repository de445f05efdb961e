import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createJsonVrpSource } from '@/lib/rpki/sources/json-source';
import { syntheticVrps } from '@/lib/rpki/synthetic';
import { parseVrpJson, VrpDocumentError } from '@/lib/rpki/vrp-json';

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
    expect(src.offThread).toBe(true);
    await src.close();
  });
});

describe('VRP JSON from a file, parsed on the worker thread', () => {
  it('delivers exactly what an in-process parse gives, in chunks, and keeps the event loop turning', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-vrpjson-'));
    const file = path.join(dir, 'export.json');
    try {
      const roas = syntheticVrps(120_000, 4).map((v) => ({ asn: `AS${v.asn}`, prefix: v.prefix, maxLength: v.maxLength, ta: 'ripe' }));
      roas.push({ asn: 'AS1', prefix: '10.0.0.0/24', maxLength: 16, ta: 'x' }); // skipped and reported
      const text = JSON.stringify({ metadata: { buildtime: '2026-11-22T12:00:00Z' }, roas, aspas: [{ customer: 'AS5', providers: ['AS6'] }] });
      writeFileSync(file, text);
      const warnings: string[] = [];
      const src = createJsonVrpSource('file', file, { logger: pino({ level: 'warn' }, { write: (l: string) => void warnings.push(l) }) });
      let turns = 0;
      let spinning = true;
      const spin = () => {
        turns++;
        if (spinning) setImmediate(spin);
      };
      setImmediate(spin);
      const r = await src.load(Date.UTC(2026, 10, 22));
      spinning = false;
      const local = parseVrpJson(text, Date.UTC(2026, 10, 22));
      expect(r.changed).toBe(true);
      if (!r.changed) return;
      expect(r.doc.vrps).toEqual(local.vrps);
      expect(r.doc.aspas).toEqual([{ customerAsn: 5, providers: [6] }]);
      expect(r.doc.problems).toEqual(local.problems);
      expect(r.doc.problems[0]!.reason).toMatch(/maxLength 16/);
      expect(r.doc.generatedAtMs).toBe(Date.UTC(2026, 11 - 1, 22, 12));
      // The VRPs arrive as 13 messages, each handled in its own turn of the event loop.
      expect(turns).toBeGreaterThan(13);
      expect(src.offThread).toBe(true);
      expect(warnings).toEqual([]);
      expect(await src.load(Date.UTC(2026, 10, 22))).toEqual({ changed: false });
      await src.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
