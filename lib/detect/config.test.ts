import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, DetectionConfigError, parseDetectionConfig } from '@/lib/detect/config';
import { DEFAULT_DETECTION_CONFIG_PATH, loadDetectionConfig, watchDetectionConfig } from '@/lib/detect/config-file';
import { watchListSchema, WatchIndex } from '@/lib/detect/watch';

describe('detection config', () => {
  it('config/detection.json documents exactly the defaults', () => {
    expect(loadDetectionConfig()).toEqual(DEFAULT_DETECTION_CONFIG);
    expect(DEFAULT_DETECTION_CONFIG_PATH).toMatch(/config\/detection\.json$/);
  });

  it('an override layer wins key by key; bad values are named', () => {
    const c = parseDetectionConfig({ originChange: { minPeers: 5 } }, { originChange: { relatedFactor: 0.1 }, baselineWindow: '7d' });
    expect(c.originChange).toEqual({ minPeers: 5, relatedFactor: 0.1, asSetFactor: 0.5 });
    expect(c.baselineWindow).toBe('7d');
    expect(() => parseDetectionConfig({ visibilityDrop: { fraction: 2 } })).toThrow(/visibilityDrop\.fraction/);
    expect(() => parseDetectionConfig({ baselineWindow: '1y' })).toThrow(DetectionConfigError);
  });

  it('loads an override file, and hot-reloads: a good edit applies, a broken one keeps the last good config', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'detect-cfg-'));
    const override = path.join(dir, 'override.json');
    writeFileSync(override, JSON.stringify({ massWithdrawal: { minPeersPerPrefix: 3 } }));
    expect(loadDetectionConfig(undefined, override).massWithdrawal.minPeersPerPrefix).toBe(3);
    expect(() => loadDetectionConfig(undefined, path.join(dir, 'missing.json'))).toThrow(/cannot read/);
    const errors: string[] = [];
    const changed: number[] = [];
    const w = watchDetectionConfig({ overridePath: override, intervalMs: 20, onChange: (c) => changed.push(c.massWithdrawal.minPeersPerPrefix), onError: (e) => errors.push(e.message) });
    try {
      const until = async (f: () => boolean) => {
        for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      writeFileSync(override, JSON.stringify({ massWithdrawal: { minPeersPerPrefix: 7 } }) + '\n');
      await until(() => changed.includes(7));
      expect(w.current().massWithdrawal.minPeersPerPrefix).toBe(7);
      writeFileSync(override, '{ not json');
      await until(() => errors.length > 0);
      expect(errors[0]).toMatch(/not JSON/);
      expect(w.current().massWithdrawal.minPeersPerPrefix).toBe(7);
    } finally {
      w.close();
    }
  });
});

describe('watch list', () => {
  it('parses BGPalerter-style entries, canonicalises prefixes and rejects bad ones', () => {
    const list = watchListSchema.parse({ prefixes: [{ prefix: '2001:DB8:0:0::/32', allowedOrigins: [64500] }], asns: [64500] });
    expect(list.prefixes[0]).toEqual({ prefix: '2001:db8::/32', allowedOrigins: [64500], allowedUpstreams: [], ignoreMoreSpecifics: false });
    expect(watchListSchema.safeParse({ prefixes: [{ prefix: '10.0.0.1/8' }] }).success).toBe(false);
    const w = new WatchIndex(list);
    expect(w.match('2001:db8:ff::/48')?.prefix).toBe('2001:db8::/32');
    expect(w.match('2001:db9::/32')).toBeUndefined();
    expect(w.isWatchedAsn(64500)).toBe(true);
    expect(new WatchIndex().empty).toBe(true);
  });
});
