'use client';

// The WebGL globe itself. Loaded only in the browser (see globe-panel.tsx): three.js cannot
// render on the server and would bloat the first-load bundle.

import { useRef } from 'react';
import Globe, { type GlobeMethods } from 'react-globe.gl';
import type { CollectorActivity } from '@/components/collector-locations';

export function RoutingGlobe({ collectors, width, height }: { collectors: CollectorActivity[]; width: number; height: number }) {
  const max = Math.max(1, ...collectors.map((c) => c.updates));
  const globe = useRef<GlobeMethods | undefined>(undefined);
  return (
    <Globe
      ref={globe}
      // Most RIS collectors are in Europe: start there, close enough to tell them apart.
      onGlobeReady={() => globe.current?.pointOfView({ lat: 35, lng: 10, altitude: 1.7 })}
      width={width}
      height={height}
      backgroundColor="rgba(0,0,0,0)"
      globeImageUrl="/earth/earth-night.jpg"
      showAtmosphere
      atmosphereColor="#38bdf8"
      atmosphereAltitude={0.12}
      pointsData={collectors}
      pointLat="lat"
      pointLng="lng"
      pointColor={(d) => ((d as CollectorActivity).fresh ? '#38bdf8' : '#4ade80')}
      pointAltitude={(d) => 0.02 + 0.25 * ((d as CollectorActivity).updates / max)}
      pointRadius={0.6}
      pointLabel={(d) => {
        const c = d as CollectorActivity;
        return `${c.collector} · ${c.city} · ${c.updates} update(s)`;
      }}
      ringsData={collectors.filter((c) => c.fresh)}
      ringLat="lat"
      ringLng="lng"
      ringColor={() => (t: number) => `rgba(56,189,248,${1 - t})`}
      ringMaxRadius={6}
      ringPropagationSpeed={3}
      ringRepeatPeriod={700}
    />
  );
}
