// RIPE RIS route collectors and their cities (city-centre coordinates; RIPE publishes exact
// locations only as DNS LOC records). Used to place collectors on the globe.

export interface CollectorLocation {
  city: string;
  lat: number;
  lng: number;
}

export const RIS_COLLECTOR_LOCATIONS: Readonly<Record<string, CollectorLocation>> = {
  rrc00: { city: 'Amsterdam', lat: 52.37, lng: 4.9 },
  rrc01: { city: 'London', lat: 51.51, lng: -0.13 },
  rrc03: { city: 'Amsterdam', lat: 52.37, lng: 4.9 },
  rrc04: { city: 'Geneva', lat: 46.2, lng: 6.14 },
  rrc05: { city: 'Vienna', lat: 48.21, lng: 16.37 },
  rrc06: { city: 'Tokyo', lat: 35.69, lng: 139.77 },
  rrc07: { city: 'Stockholm', lat: 59.33, lng: 18.07 },
  rrc10: { city: 'Milan', lat: 45.46, lng: 9.19 },
  rrc11: { city: 'New York', lat: 40.71, lng: -74.01 },
  rrc12: { city: 'Frankfurt', lat: 50.11, lng: 8.68 },
  rrc13: { city: 'Moscow', lat: 55.76, lng: 37.62 },
  rrc14: { city: 'Palo Alto', lat: 37.44, lng: -122.14 },
  rrc15: { city: 'São Paulo', lat: -23.55, lng: -46.63 },
  rrc16: { city: 'Miami', lat: 25.76, lng: -80.19 },
  rrc18: { city: 'Barcelona', lat: 41.39, lng: 2.17 },
  rrc19: { city: 'Johannesburg', lat: -26.2, lng: 28.05 },
  rrc20: { city: 'Zurich', lat: 47.38, lng: 8.54 },
  rrc21: { city: 'Paris', lat: 48.86, lng: 2.35 },
  rrc22: { city: 'Bucharest', lat: 44.43, lng: 26.1 },
  rrc23: { city: 'Singapore', lat: 1.29, lng: 103.85 },
  rrc24: { city: 'Montevideo', lat: -34.9, lng: -56.16 },
  rrc25: { city: 'Amsterdam', lat: 52.37, lng: 4.9 },
  rrc26: { city: 'Dubai', lat: 25.2, lng: 55.27 },
};

export interface CollectorActivity extends CollectorLocation {
  collector: string;
  /** Updates from this collector among those shown. */
  updates: number;
  /** An update from it arrived through the live push in the last few seconds. */
  fresh: boolean;
}

/** Per-collector activity of the shown updates, busiest first; collectors with no known location are left out. */
export function collectorActivity(events: ReadonlyArray<{ id: string; collector: string }>, freshIds: ReadonlySet<string>): CollectorActivity[] {
  const byCollector = new Map<string, CollectorActivity>();
  for (const e of events) {
    const loc = RIS_COLLECTOR_LOCATIONS[e.collector];
    if (!loc) continue;
    const cur = byCollector.get(e.collector) ?? { collector: e.collector, ...loc, updates: 0, fresh: false };
    cur.updates += 1;
    if (freshIds.has(e.id)) cur.fresh = true;
    byCollector.set(e.collector, cur);
  }
  return [...byCollector.values()].sort((a, b) => b.updates - a.updates || a.collector.localeCompare(b.collector));
}
