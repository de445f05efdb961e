import { describe, expect, it } from 'vitest';
import { brokerDataUrl, nextPageStart, overlaps, resourceToDumpFile } from '@/lib/sources/bgpstream/broker-query';
import { brokerResponseSchema } from '@/lib/sources/bgpstream/broker-schema';
import { backoffDelayMs, isRetryableStatus, PermanentError, withRetry } from '@/lib/sources/bgpstream/retry';

describe('brokerDataUrl', () => {
  it('builds the v2 data query with repeated array parameters, as libbgpstream does', () => {
    const url = brokerDataUrl('https://broker.bgpstream.caida.org/v2/', {
      from: 1438819200,
      to: 1438822800,
      projects: ['ris'],
      collectors: ['route-views2', 'rrc03'],
      types: ['updates'],
    });
    expect(url).toBe(
      'https://broker.bgpstream.caida.org/v2/data?projects[]=ris&collectors[]=route-views2&collectors[]=rrc03&types[]=updates&intervals[]=1438819200,1438822800',
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.getAll('collectors[]')).toEqual(['route-views2', 'rrc03']);
    expect(parsed.searchParams.get('intervals[]')).toBe('1438819200,1438822800');
  });
});

describe('paging', () => {
  it('stops when nothing starts after the cursor', () => {
    expect(nextPageStart(100, 1000, [])).toBeNull();
    expect(nextPageStart(100, 1000, [{ initialTime: 100 }, { initialTime: 95 }])).toBeNull();
  });
  it('asks again from the latest initialTime seen (a cap may split one timestamp across collectors)', () => {
    expect(nextPageStart(100, 10_000, [{ initialTime: 95 }, { initialTime: 400 }, { initialTime: 700 }])).toBe(700);
  });
  it('stops past the end of the interval', () => {
    expect(nextPageStart(100, 500, [{ initialTime: 600 }])).toBeNull();
  });
  it('always moves forward, so paging ends', () => {
    let cursor: number | null = 0;
    let pages = 0;
    // A broker that answers at most 3 five-minute files per page over one hour.
    const files = Array.from({ length: 12 }, (_, i) => ({ initialTime: i * 300 }));
    const seen = new Set<number>();
    while (cursor !== null && pages < 100) {
      const c: number = cursor;
      const page = files.filter((f) => f.initialTime >= c).slice(0, 3);
      page.forEach((f) => seen.add(f.initialTime));
      cursor = nextPageStart(c, 3600, page);
      pages++;
    }
    expect(seen.size).toBe(12);
    expect(pages).toBeLessThan(12);
  });
});

describe('overlaps', () => {
  it('keeps files with any second inside the interval, drops the preceding one that ends before it', () => {
    expect(overlaps({ initialTime: 900, duration: 300 }, 1000, 2000)).toBe(true);
    expect(overlaps({ initialTime: 600, duration: 300 }, 1000, 2000)).toBe(false);
    expect(overlaps({ initialTime: 2000, duration: 300 }, 1000, 2000)).toBe(true);
    expect(overlaps({ initialTime: 2001, duration: 0 }, 1000, 2000)).toBe(false);
  });
});

describe('broker response schema', () => {
  const resource = {
    url: 'http://data.ris.ripe.net/rrc06/2010.08/updates.20100831.2355.gz',
    format: 'mrt',
    transport: 'file',
    project: 'ris',
    collector: 'rrc06',
    type: 'updates',
    initialTime: 1283298900,
    duration: 300,
    attr: [],
  };
  it('accepts the documented shape and maps a resource to a dump file', () => {
    const r = brokerResponseSchema.parse({ version: '2', time: 1700000123, type: 'data', error: null, queryParameters: {}, data: { resources: [resource] } });
    expect(resourceToDumpFile(r.data!.resources[0]!)).toEqual({
      location: resource.url,
      project: 'ris',
      collector: 'rrc06',
      dumpType: 'updates',
      initialTime: 1283298900,
      duration: 300,
    });
  });
  it('rejects another version and resources without times', () => {
    expect(brokerResponseSchema.safeParse({ version: '1', data: { resources: [] } }).success).toBe(false);
    expect(brokerResponseSchema.safeParse({ version: '2', data: { resources: [{ ...resource, initialTime: 'x' }] } }).success).toBe(false);
  });
});

describe('retry', () => {
  it('doubles the delay up to the maximum', () => {
    expect([1, 2, 3, 4, 20].map((a) => backoffDelayMs(a, 1000, 900_000))).toEqual([1000, 2000, 4000, 8000, 900_000]);
  });
  it('retries transient failures, not permanent ones', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        if (calls < 3) throw new Error('transient');
        return 'ok';
      }, { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 }),
    ).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new PermanentError('404');
      }, { attempts: 5, baseDelayMs: 1, maxDelayMs: 2 }),
    ).rejects.toThrow('404');
    expect(calls).toBe(1);
  });
  it('classifies HTTP statuses', () => {
    expect([200, 404, 408, 429, 500, 503].map(isRetryableStatus)).toEqual([false, false, true, true, true, true]);
  });
});
