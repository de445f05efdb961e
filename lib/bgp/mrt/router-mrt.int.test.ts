// Differential test on MRT written by real BGP speakers, not by archive collectors: a small
// topology on 127.x.y.0/24 and ::1 (unprivileged ports) where GoBGP, BIRD and FRR dump what they
// receive. Each file is decoded by our reader and by Debian `bgpdump -m -l` and compared line by
// line with the same rules as the fixture test (test/helpers/mrt-diff.ts). The scripted routes must
// also be found in our decode, so an empty or truncated dump cannot pass.
//
//   S  gobgpd  AS 4200000002 (.2) ──eBGP, ADD-PATH──┐
//   X  exabgp  AS 65003      (.3) ──eBGP, 2-byte────┤── R gobgpd AS 4200000001 (.1): MRT updates + table
//   B  bird    AS 4200000001 (.4) ──iBGP, ADD-PATH──┘       (R passive; everyone connects to it)
//   F  bgpd    AS 65005      (.5) ──eBGP────────────┘  (FRRouting, Quagga's MRT code)
//   X ──eBGP, 2-byte── B: BIRD dumps BGP4MP (mrtdump) and TABLE_DUMP_V2 (`mrt dump table`).
//   F dumps BGP4MP (`dump bgp all` / `dump bgp updates`) and TABLE_DUMP_V2 (`dump bgp routes-mrt`).
//
// Route scripting: S through the gobgp CLI, X through ExaBGP's API (a FIFO), B through static
// routes and `birdc disable`, F through `network` statements and vtysh. Phase 1 announces; phase 2 withdraws and changes paths.
// GoBGP raises any MRT dump interval to 60 s, so its table dump is the slowest step (~60 s after R
// starts); everything else happens while it waits.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree } from '@/lib/infra/free-port';
import type { OwnedProcess } from '@/lib/infra/process-group';
import { formatAsPathText } from '@/lib/bgp/mrt/bgpdump-format';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { BIRD, BIRDC, startBird, type BirdSpeaker } from '@/test/helpers/bgp-speakers/bird';
import { waitFor } from '@/test/helpers/bgp-speakers/common';
import { EXABGP, startExabgp, type ExabgpSpeaker } from '@/test/helpers/bgp-speakers/exabgp';
import { FRR_BGPD, VTYSH, startFrr, type FrrSpeaker } from '@/test/helpers/bgp-speakers/frr';
import { GOBGP, GOBGPD, startGobgp, type GobgpRoute, type GobgpSpeaker } from '@/test/helpers/bgp-speakers/gobgp';
import { compareWithBgpdump, decodeMrtFile, haveBgpdump, type DecodedMrt } from '@/test/helpers/mrt-diff';

const AS_R = 4200000001;
const AS_S = 4200000002;
const AS_X = 65003;
const AS_F = 65005;
const AS_TRANS = 23456;

const missingCore = [
  ...(GOBGPD && GOBGP ? [] : ['gobgpd/gobgp (apt-get install -y gobgpd)']),
  ...(haveBgpdump ? [] : ['bgpdump (apt-get install -y bgpdump)']),
];
const skipReason = missingCore.length > 0 ? `skipped: ${missingCore.join(', ')} missing — scripts/ensure-system-deps.sh installs them` : '';
const withBird = Boolean(BIRD && BIRDC);
const withExa = Boolean(EXABGP);
const withFrr = Boolean(FRR_BGPD && VTYSH);
const birdSkip = withBird ? '' : ' — skipped: bird2 missing (apt-get install -y bird2)';
const exaSkip = withExa ? '' : ' — skipped: exabgp missing (apt-get install -y exabgp)';
const frrSkip = withFrr ? '' : ' — skipped: FRR missing (apt-get install -y frr)';

// A random 127.x.y.0/24 per run, so two runs on one machine never see each other's sessions.
const NET = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}.`;
const IP = { r: `${NET}1`, s: `${NET}2`, x: `${NET}3`, b: `${NET}4`, f: `${NET}5` };
/** B's second session to R runs over IPv6 (BGP4MP and PEER_INDEX entries with an IPv6 peer). */
const IP6 = '::1';

const ESTABLISHED = 6;
/** Bounded waits: sessions come up within GoBGP's 5 s connect retry; a RIB change within a second. */
const SESSION_WAIT_MS = 30_000;
const CONVERGE_WAIT_MS = 15_000;
/** GoBGP's table dump fires 60 s after R starts. */
const TABLE_DUMP_WAIT_MS = 90_000;

// Edge cases present in both phases: attributes over 255 bytes (extended length), AS paths over
// 255 ASNs (several segments; for X also an AS4_PATH over several segments), many prefixes in one
// UPDATE, /0 and host routes.
// S's path: 200 + AS_SET + 100 (gobgpd 3.10 panics in PrependAsn when the first segment already
// holds 255 ASNs, so no single segment here is full).
const LONG_S_TEXT = [
  ...Array.from({ length: 200 }, (_, i) => (i % 2 ? 4200000100 + i : 65100 + i)),
  '{65001,4200000009}',
  ...Array.from({ length: 100 }, (_, i) => 65300 + i),
].join(' ');
const LONG_X = [AS_X, ...Array.from({ length: 299 }, (_, i) => (i % 3 === 0 ? 4200000200 + i : 65200 + i))];
const MANY_COMMUNITIES = Array.from({ length: 80 }, (_, i) => `65000:${1000 + i}`);
const PACKED_X = Array.from({ length: 40 }, (_, i) => `10.34.${i}.0/24`);

/** A route as "peer prefix path", from our decode or from GoBGP's RIB. */
type RouteKey = string;

function c(asn: number, value: number): number {
  return asn * 65536 + value;
}

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort();
}

/** Phase-by-phase expectation of R's RIB ("peer prefix path"), limited to the speakers present. */
function expectedRib(phase: 1 | 2): RouteKey[] {
  const s = IP.s;
  const edges = [
    `${s} 0.0.0.0/0 ${AS_S} 65060`,
    `${s} 10.255.255.255/32 ${AS_S} 65061`,
    `${s} 2001:db8::1/128 ${AS_S}`,
    `${s} 10.6.0.0/24 ${AS_S} ${LONG_S_TEXT}`,
    ...(withExa ? [...PACKED_X.map((p) => `${IP.x} ${p} 65003 65034`), `${IP.x} 10.35.0.0/24 ${LONG_X.join(' ')}`] : []),
  ];
  const keys = [...edges];
  keys.push(...(phase === 1
    ? [
        `${s} 10.1.0.0/16 ${AS_S} 65010 4200000010`,
        `${s} 10.2.0.0/24 ${AS_S} 65020 {65021,4200000022}`,
        `${s} 10.5.0.0/24 ${AS_S} 65050`,
        `${s} 10.5.0.0/24 ${AS_S} 65051 65052`,
        `${s} 2001:db8:1::/48 ${AS_S}`,
        `${s} 2001:db8:2::/48 ${AS_S} 65020 {65021,65022}`,
      ]
    : [`${s} 10.2.0.0/24 ${AS_S} 65020 65023`, `${s} 10.5.0.0/24 ${AS_S} 65050`, `${s} 2001:db8:1::/48 ${AS_S}`]));
  if (withExa) {
    keys.push(
      ...(phase === 1
        ? [`${IP.x} 10.30.0.0/24 65003 4200000030 65031`, `${IP.x} 10.31.0.0/24 65003 {65032,4200000033}`, `${IP.x} 2001:db8:30::/48 65003 4200000031`]
        : [`${IP.x} 10.30.0.0/24 65003 65033`]),
    );
  }
  if (withFrr) {
    keys.push(`${IP.f} 10.50.0.0/24 ${AS_F}`);
    if (phase === 1) keys.push(`${IP.f} 2001:db8:50::/48 ${AS_F}`);
  }
  if (withBird) {
    keys.push(`${IP.b} 10.40.0.0/24 `, `${IP.b} 10.41.0.0/24 `, `${IP.b} 2001:db8:41::/48 `, `${IP6} 2001:db8:41::/48 `);
    if (phase === 1) keys.push(`${IP.b} 2001:db8:40::/48 `, `${IP6} 2001:db8:40::/48 `);
  }
  return sorted(keys);
}

async function ribKeys(r: GobgpSpeaker): Promise<RouteKey[]> {
  const routes: GobgpRoute[] = [...(await r.rib('ipv4')), ...(await r.rib('ipv6'))];
  return sorted(routes.map((p) => `${p.neighborIp} ${p.prefix} ${p.asPath}`));
}

async function waitRib(r: GobgpSpeaker, phase: 1 | 2): Promise<void> {
  const want = expectedRib(phase);
  await waitFor(
    `R's RIB after phase ${phase}`,
    async () => {
      const last = await ribKeys(r);
      if (JSON.stringify(last) === JSON.stringify(want)) return true;
      throw new Error(`have\n  ${last.join('\n  ')}\nwant\n  ${want.join('\n  ')}`);
    },
    CONVERGE_WAIT_MS,
  );
}

/** Prefixes of one protocol's routes in a BIRD table ("show route" output). */
async function birdPrefixes(b: BirdSpeaker, table: string, protocol: string): Promise<string[]> {
  const out = await b.birdc(`show route table ${table} protocol ${protocol}`);
  return sorted(new Set(out.split('\n').flatMap((l) => /^(\S+\/\d+)\s/.exec(l)?.[1] ?? [])));
}

// ---- what our decode contains -----------------------------------------------------------------

type Update = Extract<MrtItem, { kind: 'update' }>;
type Rib = Extract<MrtItem, { kind: 'rib' }>;

function updates(items: MrtItem[], peerIp: string): Update[] {
  return items.filter((i): i is Update => i.kind === 'update' && i.peerIp === peerIp);
}

function announcedPaths(items: MrtItem[], peerIp: string, prefix: string): string[] {
  return updates(items, peerIp).flatMap((u) => (u.announced.some((p) => p.prefix === prefix) ? [formatAsPathText(u.attributes.asPath)] : []));
}

function announcement(items: MrtItem[], peerIp: string, prefix: string): Update {
  const u = updates(items, peerIp).find((i) => i.announced.some((p) => p.prefix === prefix));
  if (!u) throw new Error(`no announcement of ${prefix} from ${peerIp}`);
  return u;
}

function withdrawn(items: MrtItem[], peerIp: string): string[] {
  return sorted(new Set(updates(items, peerIp).flatMap((u) => u.withdrawn.map((p) => p.prefix))));
}

function ribEntries(items: MrtItem[]): RouteKey[] {
  return sorted(
    items
      .filter((i): i is Rib => i.kind === 'rib')
      .map((i) => `${i.peerIp} ${i.prefix.prefix} ${formatAsPathText(i.attributes.asPath)}`),
  );
}

async function decodeAndCompare(file: string, tmp: string, excluded: number[] = []): Promise<DecodedMrt> {
  const decoded = await decodeMrtFile(file);
  const name = path.basename(file);
  expect(decoded.fatal?.message ?? null, `${name}: MrtParseError`).toBeNull();
  expect(decoded.skipped, `${name}: skipped records`).toEqual([]);
  // No repairs or guesses (e.g. ADD-PATH detection) on files written by current speakers.
  expect(decoded.warnings, `${name}: warnings`).toEqual([]);
  const cmp = await compareWithBgpdump(file, decoded, { tmpDir: tmp, excluded });
  expect(cmp.diff, `${name}: first differences`).toBe('');
  expect(cmp.ours.length, `${name}: line count`).toBe(cmp.ref.length);
  expect(cmp.ref.length, `${name}: bgpdump printed nothing`).toBeGreaterThan(0);
  return decoded;
}

describe('MRT written by real routers (GoBGP, BIRD, FRR) vs bgpdump -m -l', () => {
  if (skipReason) {
    it.skip(`GoBGP/BIRD/FRR MRT dumps — ${skipReason}`, () => undefined);
    return;
  }

  let dir = '';
  const procs: OwnedProcess[] = [];
  let r!: GobgpSpeaker;
  let s!: GobgpSpeaker;
  let x: ExabgpSpeaker | null = null;
  let b: BirdSpeaker | null = null;
  let f: FrrSpeaker | null = null;
  let rStartedAt = 0;
  const files = { gobgpTable: '', birdMessages: '', birdTable4: '', birdTable6: '', birdPeriodic: '', frrAll: '', frrUpdates: '', frrRib: '' };

  /** Failure context: the last lines of every speaker's output. */
  function speakerLogs(): string {
    const last = (p: OwnedProcess) => p.tail().slice(-12).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
    return procs.map((p) => `--- ${p.name} (pid ${p.pid}, ${p.isRunning() ? 'running' : 'exited'})\n${last(p).join('\n')}`).join('\n');
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'router-mrt-'));
    // R listens on IP.r and ::1 with one port: find one free on both.
    const rPort = await waitFor('a port free on both R addresses', async () => {
      const port = await findFreePort(IP.r);
      return (await isPortFree(port, IP6)) ? port : null;
    }, 5_000, 10);
    const b6Port = await findFreePort(IP6);
    const bPort = await findFreePort(IP.b);
    const rApi = await findFreePort();
    const sApi = await findFreePort();
    files.gobgpTable = path.join(dir, 'gobgp-table.mrt');
    files.birdMessages = path.join(dir, 'bird-bgp4mp.mrt');
    files.birdTable4 = path.join(dir, 'bird-master4.mrt');
    files.birdTable6 = path.join(dir, 'bird-master6.mrt');
    files.birdPeriodic = path.join(dir, 'bird-periodic-master4.mrt');
    files.frrAll = path.join(dir, 'frr-all.mrt');
    files.frrUpdates = path.join(dir, 'frr-updates.mrt');
    files.frrRib = path.join(dir, 'frr-rib.mrt');
    const fPort = await findFreePort(IP.f);

    // R first: its 60 s MRT timers start with it.
    r = startGobgp({
      name: 'gobgp-r',
      dir,
      asn: AS_R,
      routerId: '10.0.0.1',
      address: IP.r,
      extraAddresses: withBird ? [IP6] : [],
      port: rPort,
      apiPort: rApi,
      neighbors: [
        { address: IP.s, asn: AS_S, passive: true, addPaths: { receive: true } },
        ...(withExa ? [{ address: IP.x, asn: AS_X, passive: true }] : []),
        ...(withBird
          ? [
              { address: IP.b, asn: AS_R, passive: true, addPaths: { sendMax: 4 } },
              { address: IP6, localAddress: IP6, asn: AS_R, passive: true, families: ['ipv6-unicast' as const] },
            ]
          : []),
        ...(withFrr ? [{ address: IP.f, asn: AS_F, passive: true }] : []),
      ],
      // Next hops stay as scripted (192.0.2.x) on eBGP too: FRR drops 127/8 next hops as martian.
      extraToml: [
        '[global.apply-policy.config]',
        '  export-policy-list = ["nh-unchanged"]',
        '  default-export-policy = "accept-route"',
        '[[policy-definitions]]',
        '  name = "nh-unchanged"',
        '  [[policy-definitions.statements]]',
        '    name = "keep"',
        '    [policy-definitions.statements.actions]',
        '      route-disposition = "accept-route"',
        '      [policy-definitions.statements.actions.bgp-actions]',
        '        set-next-hop = "unchanged"',
      ].join('\n'),
      mrt: [
        { type: 'updates', fileName: 'gobgp-updates-20060102.150405.mrt', rotationIntervalS: 60 },
        { type: 'table', fileName: path.basename(files.gobgpTable), dumpIntervalS: 60 },
      ],
    });
    rStartedAt = Date.now();
    procs.push(r.proc);
    // R's API must answer before the others connect (its config is loaded by then).
    await waitFor('gobgpd R API', async () => (await r.neighborStates()).size > 0 || null, SESSION_WAIT_MS);

    s = startGobgp({
      name: 'gobgp-s',
      dir,
      asn: AS_S,
      routerId: '10.0.0.2',
      address: IP.s,
      port: -1,
      apiPort: sApi,
      neighbors: [{ address: IP.r, asn: AS_R, remotePort: rPort, addPaths: { sendMax: 4 } }],
    });
    procs.push(s.proc);

    if (withExa) {
      x = startExabgp({
        name: 'exabgp-x',
        dir,
        asn: AS_X,
        routerId: '10.0.0.3',
        address: IP.x,
        asn4: false,
        neighbors: [
          { address: IP.r, peerAsn: AS_TRANS, port: rPort },
          ...(withBird ? [{ address: IP.b, peerAsn: AS_TRANS, port: bPort }] : []),
        ],
      });
      procs.push(x.proc);
    }

    if (withBird) {
      b = startBird({
        name: 'bird-b',
        dir,
        routerId: '10.0.0.4',
        mrtDumpFile: files.birdMessages,
        body: `
protocol static st4 {
  ipv4;
  route 10.40.0.0/24 blackhole { bgp_local_pref = 250; bgp_med = 44; bgp_community.add((65004,40)); bgp_large_community.add((${AS_R},4,40)); };
  route 10.41.0.0/24 blackhole;
}
protocol static st6 {
  ipv6;
  route 2001:db8:40::/48 blackhole;
}
protocol static st6b {
  ipv6;
  route 2001:db8:41::/48 blackhole;
}
# Periodic TABLE_DUMP_V2 with the ADD-PATH RIB subtypes for every route; enabled after phase 2.
protocol mrt periodic {
  disabled;
  table "master4";
  filename "${path.join(dir, 'bird-periodic-%N.mrt')}";
  period 1;
  always add path on;
}
# iBGP to R: only our static routes go out, with a next hop GoBGP accepts (it rejects 127/8).
protocol bgp r {
  local ${IP.b} port ${bPort} as ${AS_R};
  neighbor ${IP.r} port ${rPort} as ${AS_R};
  connect delay time 1;
  connect retry time 1;
  ipv4 { import all; export filter { if source != RTS_STATIC then reject; bgp_next_hop = 192.0.2.4; accept; }; add paths rx; };
  ipv6 { import all; export filter { if source != RTS_STATIC then reject; bgp_next_hop = 2001:db8::4; accept; }; add paths rx; };
}
# The same iBGP over IPv6 transport (IPv6 unicast only).
protocol bgp r6 {
  local ${IP6} port ${b6Port} as ${AS_R};
  neighbor ${IP6} port ${rPort} as ${AS_R};
  connect delay time 1;
  connect retry time 1;
  ipv6 { import all; export filter { if source != RTS_STATIC then reject; bgp_next_hop = 2001:db8::4; accept; }; };
}
${withExa ? `# eBGP from the 2-byte-AS ExaBGP; it connects to us.
protocol bgp x {
  local ${IP.b} port ${bPort} as ${AS_R};
  neighbor ${IP.x} as ${AS_X};
  multihop;
  passive on;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}` : ''}
`,
      });
      procs.push(b.proc);
    }

    if (withFrr) {
      f = startFrr({
        name: 'frr-f',
        dir,
        address: IP.f,
        port: fPort,
        config: `frr defaults traditional
hostname frr-f
!
route-map ORIGINATE permit 10
 set community 65005:50
 set large-community 65005:5:50
 set extcommunity rt 65005:50
 set metric 55
 set origin egp
!
route-map TO-R4 permit 10
 set ip next-hop 192.0.2.5
!
route-map TO-R6 permit 10
 set ipv6 next-hop global 2001:db8::5
!
router bgp ${AS_F}
 bgp router-id 10.0.0.5
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${IP.r} remote-as ${AS_R}
 neighbor ${IP.r} port ${rPort}
 neighbor ${IP.r} update-source ${IP.f}
 neighbor ${IP.r} timers connect 1
 address-family ipv4 unicast
  network 10.50.0.0/24 route-map ORIGINATE
  neighbor ${IP.r} route-map TO-R4 out
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:50::/48 route-map ORIGINATE
  neighbor ${IP.r} activate
  neighbor ${IP.r} route-map TO-R6 out
 exit-address-family
!
dump bgp all ${files.frrAll}
dump bgp updates ${files.frrUpdates}
!
`,
      });
      procs.push(f.proc);
    }

    const peers = [IP.s, ...(withExa ? [IP.x] : []), ...(withBird ? [IP.b, IP6] : []), ...(withFrr ? [IP.f] : [])];
    try {
      await waitFor(
        'R sessions Established',
        async () => {
          const states = await r.neighborStates();
          if (peers.every((p) => states.get(p) === ESTABLISHED)) return true;
          throw new Error(JSON.stringify(Object.fromEntries(states)));
        },
        SESSION_WAIT_MS,
      );

      // ---- phase 1: announcements ----
      const sAdd = (family: string, ...args: string[]) => s.cli(['global', 'rib', 'add', '-a', family, ...args]);
      await sAdd('ipv4', '10.1.0.0/16', 'nexthop', '192.0.2.2', 'origin', 'igp', 'aspath', '65010 4200000010', 'med', '50',
        'community', '65000:1,no-export', 'large-community', `${AS_S}:1:2`);
      await sAdd('ipv4', '10.2.0.0/24', 'nexthop', '192.0.2.2', 'origin', 'incomplete', 'aspath', '65020 {65021,4200000022}',
        'aggregator', '4200000022:192.0.2.22');
      await sAdd('ipv4', '10.5.0.0/24', 'identifier', '10', 'nexthop', '192.0.2.2', 'aspath', '65050');
      await sAdd('ipv4', '10.5.0.0/24', 'identifier', '11', 'nexthop', '192.0.2.2', 'aspath', '65051 65052', 'med', '5');
      await sAdd('ipv6', '2001:db8:1::/48', 'nexthop', '2001:db8::2', 'community', '65000:6', 'large-community', `${AS_S}:6:6`);
      await sAdd('ipv6', '2001:db8:2::/48', 'nexthop', '2001:db8::2', 'aspath', '65020 {65021,65022}');
      await sAdd('ipv4', '0.0.0.0/0', 'nexthop', '192.0.2.2', 'aspath', '65060');
      await sAdd('ipv4', '10.255.255.255/32', 'nexthop', '192.0.2.2', 'aspath', '65061');
      await sAdd('ipv6', '2001:db8::1/128', 'nexthop', '2001:db8::2');
      await sAdd('ipv4', '10.6.0.0/24', 'nexthop', '192.0.2.2', 'aspath', LONG_S_TEXT, 'community', MANY_COMMUNITIES.join(','));
      x?.send(
        'announce route 10.30.0.0/24 next-hop 192.0.2.3 origin igp as-path [ 65003 4200000030 65031 ] med 7 community [ 65003:7 no-export ] extended-community [ target:65003:7 ] large-community [ 4200000030:1:2 ] aggregator ( 4200000030:192.0.2.30 ) atomic-aggregate',
        'announce route 10.31.0.0/24 next-hop 192.0.2.3 as-path [ 65003 ( 65032 4200000033 ) ]',
        'announce route 2001:db8:30::/48 next-hop 2001:db8::3 as-path [ 65003 4200000031 ] community [ 65003:8 ]',
        `announce attributes next-hop 192.0.2.3 as-path [ 65003 65034 ] community [ 65003:34 ] nlri ${PACKED_X.join(' ')}`,
        `announce route 10.35.0.0/24 next-hop 192.0.2.3 as-path [ ${LONG_X.join(' ')} ] community [ ${MANY_COMMUNITIES.join(' ')} ]`,
      );
      await waitRib(r, 1);

      // ---- phase 2: withdrawals and path changes ----
      const sDel = (family: string, ...args: string[]) => s.cli(['global', 'rib', 'del', '-a', family, ...args]);
      await sDel('ipv4', '10.1.0.0/16');
      await sAdd('ipv4', '10.2.0.0/24', 'nexthop', '192.0.2.2', 'aspath', '65020 65023');
      await sDel('ipv4', '10.5.0.0/24', 'identifier', '11');
      await sDel('ipv6', '2001:db8:2::/48');
      x?.send(
        'withdraw route 10.31.0.0/24 next-hop 192.0.2.3',
        'announce route 10.30.0.0/24 next-hop 192.0.2.3 as-path [ 65003 65033 ] community [ 65003:9 ]',
        'withdraw route 2001:db8:30::/48 next-hop 2001:db8::3',
      );
      await b?.birdc('disable st6');
      await f?.vtysh('configure terminal', `router bgp ${AS_F}`, 'address-family ipv6 unicast', 'no network 2001:db8:50::/48');
      await waitRib(r, 2);

      if (f) {
        const frr = f;
        // F holds R's phase-2 routes before its table is dumped.
        await waitFor(
          "F's table after phase 2",
          async () => {
            const table = JSON.parse(await frr.vtysh('show bgp ipv4 unicast json')) as { routes?: Record<string, unknown> };
            const have = Object.keys(table.routes ?? {});
            if (have.includes('10.2.0.0/24') && !have.includes('10.1.0.0/16')) return true;
            throw new Error(have.join(' '));
          },
          CONVERGE_WAIT_MS,
        );
        await frr.vtysh('configure terminal', `dump bgp routes-mrt ${files.frrRib}`);
        await waitFor('the FRR routes-mrt dump', async () => {
          const d = await decodeMrtFile(files.frrRib);
          return d.fatal === null && d.items.some((i) => i.kind === 'rib' && i.prefix.prefix === '10.2.0.0/24') ? true : null;
        }, CONVERGE_WAIT_MS);
      }

      if (b) {
        const bird = b;
        // B holds R's phase-2 routes (all that R learned over eBGP) before its tables are dumped.
        const fromR = sorted(new Set(expectedRib(2).filter((k) => !k.startsWith(`${IP.b} `) && !k.startsWith(`${IP6} `)).map((k) => k.split(' ')[1]!)));
        const want4 = fromR.filter((p) => !p.includes(':'));
        const want6 = fromR.filter((p) => p.includes(':'));
        await waitFor(
          "B's tables after phase 2",
          async () => {
            const have4 = await birdPrefixes(bird, 'master4', 'r');
            const have6 = await birdPrefixes(bird, 'master6', 'r');
            if (JSON.stringify(have4) === JSON.stringify(want4) && JSON.stringify(have6) === JSON.stringify(want6)) return true;
            throw new Error(`master4 ${have4.join(' ')} / master6 ${have6.join(' ')}`);
          },
          CONVERGE_WAIT_MS,
        );
        for (const [table, file] of [['master4', files.birdTable4], ['master6', files.birdTable6]] as const) {
          await bird.birdc(`mrt dump table "${table}" to "${file}"`);
          // The dump may finish after birdc returns: wait until the file decodes to its end.
          await waitFor(`BIRD ${table} dump`, async () => {
            const d = await decodeMrtFile(file);
            return d.fatal === null && d.items.some((i) => i.kind === 'rib') ? true : null;
          }, CONVERGE_WAIT_MS);
        }
        // The periodic dump appends a whole table every second: keep the bytes of the first complete
        // one (a later dump may be mid-write when we look).
        const ribCount4 = (await decodeMrtFile(files.birdTable4)).items.filter((i) => i.kind === 'rib').length;
        await bird.birdc('enable periodic');
        const first = await waitFor('BIRD periodic dump', async () => {
          const bytes = readFileSync(files.birdPeriodic);
          writeFileSync(`${files.birdPeriodic}.first`, bytes);
          const d = await decodeMrtFile(`${files.birdPeriodic}.first`);
          return d.fatal === null && d.items.filter((i) => i.kind === 'rib').length >= ribCount4 ? bytes : null;
        }, CONVERGE_WAIT_MS);
        await bird.birdc('disable periodic');
        writeFileSync(files.birdPeriodic, first);
      }
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${speakerLogs()}`);
    }
  });

  afterAll(async () => {
    x?.close();
    await Promise.all(procs.map((p) => p.stop({ timeoutMs: 3_000 })));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** GoBGP's update dumps (one per rotation), after R stopped writing them. */
  function gobgpUpdateFiles(): string[] {
    return readdirSync(dir)
      .filter((f) => f.startsWith('gobgp-updates-'))
      .sort()
      .map((f) => path.join(dir, f))
      .filter((f) => statSync(f).size > 0);
  }

  it('GoBGP TABLE_DUMP_V2 (its 60 s dump) matches bgpdump and holds R\'s final RIB', async () => {
    // The dump is written record by record after the timer fires: wait until it decodes to its end
    // with as many entries as R's RIB holds, then stop R (it closes the file).
    const remaining = Math.max(0, TABLE_DUMP_WAIT_MS - (Date.now() - rStartedAt));
    const want = expectedRib(2).length;
    await waitFor('the GoBGP table dump', async () => {
      if (statSync(files.gobgpTable).size === 0) return null;
      const partial = await decodeMrtFile(files.gobgpTable);
      const have = partial.items.filter((i) => i.kind === 'rib').length;
      if (partial.fatal === null && have >= want) return true;
      throw new Error(`${have} of ${want} RIB entries${partial.fatal ? `, ${partial.fatal.message}` : ''}`);
    }, remaining, 250);
    await r.proc.stop({ timeoutMs: 5_000 });
    const d = await decodeAndCompare(files.gobgpTable, dir);
    expect(d.items.filter((i) => i.kind === 'peer_index')).toHaveLength(1);
    expect(ribEntries(d.items)).toEqual(expectedRib(2));
  }, TABLE_DUMP_WAIT_MS + 20_000);

  it('GoBGP BGP4MP update dumps match bgpdump and hold every scripted announcement and withdrawal', async () => {
    // R has stopped (previous test): its files are complete.
    if (r.proc.isRunning()) await r.proc.stop({ timeoutMs: 5_000 });
    const updateFiles = gobgpUpdateFiles();
    expect(updateFiles.length).toBeGreaterThan(0);
    const items: MrtItem[] = [];
    for (const f of updateFiles) items.push(...(await decodeAndCompare(f, dir)).items);

    // S: 4-byte session with ADD-PATH towards R (BGP4MP_MESSAGE_AS4_ADDPATH).
    const s1 = announcement(items, IP.s, '10.1.0.0/16');
    expect(formatAsPathText(s1.attributes.asPath)).toBe(`${AS_S} 65010 4200000010`);
    expect(s1.attributes.med).toBe(50);
    expect(s1.attributes.origin).toBe(0);
    expect(s1.attributes.communities).toEqual([c(65000, 1), 0xffffff01]);
    expect(s1.attributes.largeCommunities).toEqual([AS_S, 1, 2]);
    const s2 = announcement(items, IP.s, '10.2.0.0/24');
    expect(s2.attributes.aggregatorAsn).toBe(4200000022);
    expect(s2.attributes.aggregatorIp).toBe('192.0.2.22');
    expect(announcedPaths(items, IP.s, '10.2.0.0/24')).toEqual([`${AS_S} 65020 {65021,4200000022}`, `${AS_S} 65020 65023`]);
    const ids = new Set(updates(items, IP.s).flatMap((u) => u.announced.filter((p) => p.prefix === '10.5.0.0/24').map((p) => p.pathId)));
    expect(ids.size, 'two ADD-PATH path ids for 10.5.0.0/24').toBe(2);
    expect([...ids].every((id) => id !== null)).toBe(true);
    expect(announcement(items, IP.s, '2001:db8:1::/48').attributes.mpNextHop).toBe('2001:db8::2');
    expect(withdrawn(items, IP.s)).toEqual(['10.1.0.0/16', '10.5.0.0/24', '2001:db8:2::/48']);
    const long = announcement(items, IP.s, '10.6.0.0/24');
    expect(formatAsPathText(long.attributes.asPath)).toBe(`${AS_S} ${LONG_S_TEXT}`);
    expect(long.attributes.communities).toHaveLength(MANY_COMMUNITIES.length);
    for (const p of ['0.0.0.0/0', '10.255.255.255/32', '2001:db8::1/128']) announcement(items, IP.s, p);

    if (withExa) {
      // X: no 4-byte capability, so AS_PATH carries AS_TRANS and the real path is in AS4_PATH.
      const x1 = announcement(items, IP.x, '10.30.0.0/24');
      expect(x1.peerAsn).toBe(AS_X);
      expect(formatAsPathText(x1.attributes.asPath)).toBe('65003 4200000030 65031');
      expect(x1.attributes.aggregatorAsn).toBe(4200000030);
      expect(x1.attributes.atomicAggregate).toBe(true);
      expect(x1.attributes.extendedCommunities).toEqual(['0002fdeb00000007']);
      expect(x1.attributes.largeCommunities).toEqual([4200000030, 1, 2]);
      expect(x1.attributes.communities).toEqual([c(65003, 7), 0xffffff01]);
      expect(announcedPaths(items, IP.x, '10.30.0.0/24')).toEqual(['65003 4200000030 65031', '65003 65033']);
      expect(announcedPaths(items, IP.x, '10.31.0.0/24')).toEqual(['65003 {65032,4200000033}']);
      expect(withdrawn(items, IP.x)).toEqual(['10.31.0.0/24', '2001:db8:30::/48']);
      expect(updates(items, IP.x).some((u) => u.announced.length === PACKED_X.length), '40 prefixes in one UPDATE').toBe(true);
      const longX = announcement(items, IP.x, '10.35.0.0/24');
      expect(formatAsPathText(longX.attributes.asPath)).toBe(LONG_X.join(' '));
      expect(longX.attributes.communities).toHaveLength(MANY_COMMUNITIES.length);
    } else {
      console.warn(`ExaBGP part${exaSkip}`);
    }

    if (withFrr) {
      const f1 = announcement(items, IP.f, '10.50.0.0/24');
      expect(f1.attributes.med).toBe(55);
      expect(f1.attributes.origin).toBe(1);
      expect(f1.attributes.extendedCommunities).toEqual(['0002fded00000032']);
      expect(f1.attributes.largeCommunities).toEqual([AS_F, 5, 50]);
      // FRR also sends withdrawals for prefixes it never announced to R (its best path moved).
      expect(withdrawn(items, IP.f)).toEqual(expect.arrayContaining(['2001:db8:50::/48']));
    }

    if (withBird) {
      // B: iBGP, so LOCAL_PREF is on the wire.
      const b1 = announcement(items, IP.b, '10.40.0.0/24');
      expect(b1.attributes.localPref).toBe(250);
      expect(b1.attributes.med).toBe(44);
      expect(b1.attributes.communities).toEqual([c(65004, 40)]);
      expect(b1.attributes.largeCommunities).toEqual([AS_R, 4, 40]);
      expect(announcement(items, IP.b, '10.41.0.0/24').attributes.localPref).toBe(100);
      expect(withdrawn(items, IP.b)).toEqual(['2001:db8:40::/48']);
      // The IPv6-transport session: BGP4MP records with an IPv6 peer address.
      expect(announcement(items, IP6, '2001:db8:41::/48').attributes.mpNextHop).toBe('2001:db8::4');
      expect(withdrawn(items, IP6)).toEqual(['2001:db8:40::/48']);
    } else {
      console.warn(`BIRD part${birdSkip}`);
    }
  });

  it.skipIf(!withBird)(`BIRD BGP4MP dump (mrtdump messages + states) matches bgpdump${birdSkip}`, async () => {
    await b!.proc.stop({ timeoutMs: 5_000 });
    const d = await decodeAndCompare(files.birdMessages, dir);
    const states = d.items.filter((i) => i.kind === 'state');
    for (const peer of [IP.r, IP6]) {
      expect(states.some((i) => i.kind === 'state' && i.peerIp === peer && i.newState === ESTABLISHED), `${peer} Established`).toBe(true);
    }
    expect(announcedPaths(d.items, IP6, '2001:db8:1::/48')).toEqual([`${AS_S}`]);
    // From R with ADD-PATH: every path id present, both versions of 10.2.0.0/24, the withdrawals.
    expect(announcedPaths(d.items, IP.r, '10.2.0.0/24')).toEqual([`${AS_S} 65020 {65021,4200000022}`, `${AS_S} 65020 65023`]);
    const fromR = updates(d.items, IP.r);
    expect(fromR.every((u) => u.record.subtype >= 8), 'ADD-PATH subtypes on the R session').toBe(true);
    expect(new Set(fromR.flatMap((u) => u.announced.filter((p) => p.prefix === '10.5.0.0/24').map((p) => p.pathId))).size).toBe(2);
    expect(withdrawn(d.items, IP.r)).toEqual(expect.arrayContaining(['10.1.0.0/16', '10.5.0.0/24', '2001:db8:2::/48']));
    if (withExa) {
      expect(states.some((i) => i.kind === 'state' && i.peerIp === IP.x && i.newState === ESTABLISHED)).toBe(true);
      const x1 = announcement(d.items, IP.x, '10.30.0.0/24');
      expect(formatAsPathText(x1.attributes.asPath)).toBe('65003 4200000030 65031');
      expect(x1.attributes.aggregatorAsn).toBe(4200000030);
      expect(withdrawn(d.items, IP.x)).toEqual(['10.31.0.0/24', '2001:db8:30::/48']);
    }
  });

  it.skipIf(!withBird)(`BIRD periodic TABLE_DUMP_V2 with "always add path" matches bgpdump${birdSkip}`, async () => {
    const d = await decodeAndCompare(files.birdPeriodic, dir);
    const ribs = d.items.filter((i): i is Rib => i.kind === 'rib');
    expect(d.items.filter((i) => i.kind === 'peer_index').length).toBeGreaterThanOrEqual(1);
    // RIB_IPV4_UNICAST_ADDPATH (RFC 8050) for every entry, local routes included.
    expect(ribs.every((i) => i.record.subtype === 8 && i.prefix.pathId !== null)).toBe(true);
    expect(ribEntries(d.items)).toEqual(expect.arrayContaining([`${IP.r} 10.2.0.0/24 ${AS_S} 65020 65023`]));
    expect(ribs.some((i) => i.prefix.prefix === '10.40.0.0/24' && i.attributes.localPref === 250)).toBe(true);
  });

  it.skipIf(!withBird)(`BIRD TABLE_DUMP_V2 (mrt dump table) matches bgpdump${birdSkip}`, async () => {
    const t4 = await decodeAndCompare(files.birdTable4, dir);
    const t6 = await decodeAndCompare(files.birdTable6, dir);
    const rib4 = ribEntries(t4.items);
    expect(rib4).toEqual(
      expect.arrayContaining([`${IP.r} 10.2.0.0/24 ${AS_S} 65020 65023`, `${IP.r} 10.5.0.0/24 ${AS_S} 65050`]),
    );
    if (withExa) expect(rib4).toEqual(expect.arrayContaining([`${IP.r} 10.30.0.0/24 65003 65033`, `${IP.x} 10.30.0.0/24 65003 65033`]));
    expect(rib4.some((k) => k.includes(' 10.40.0.0/24'))).toBe(true);
    expect(ribEntries(t6.items)).toEqual(expect.arrayContaining([`${IP.r} 2001:db8:1::/48 ${AS_S}`, `${IP6} 2001:db8:1::/48 ${AS_S}`]));
  });
  it.skipIf(!withFrr)(`FRR BGP4MP dumps (dump bgp all / updates) match bgpdump${frrSkip}`, async () => {
    await f!.proc.stop({ timeoutMs: 5_000 });
    // Known bgpdump 1.6.2 limitation: FRR (like Zebra) writes a state change without interface
    // index, AFI and addresses for a peer that has none (at shutdown: ASNs 0, state 1 -> 8, FRR's
    // internal "Deleted"). bgpdump only recognises that short form with 2-byte ASNs (length 8);
    // for STATE_CHANGE_AS4 (length 12) it reads the states as interface index and AFI, rejects
    // AFI 8 and prints nothing. We decode it as the state change it is; those records are left out
    // of the comparison and checked here.
    const shortStates = (await decodeMrtFile(files.frrAll)).items.filter((i) => i.kind === 'state' && i.record.subtype === 5 && i.record.length === 12);
    for (const st of shortStates) {
      expect(st).toMatchObject({ peerAsn: 0, peerIp: '0.0.0.0', oldState: 1, newState: 8 });
    }
    const all = await decodeAndCompare(files.frrAll, dir, shortStates.map((i) => i.record.index));
    const upd = await decodeAndCompare(files.frrUpdates, dir);
    expect(all.items.some((i) => i.kind === 'state' && i.peerIp === IP.r && i.newState === ESTABLISHED)).toBe(true);
    // `all` also holds OPEN/KEEPALIVE messages, which bgpdump -m does not print and we count as 'other'.
    expect(all.items.some((i) => i.kind === 'other')).toBe(true);
    for (const d of [all, upd]) {
      expect(announcedPaths(d.items, IP.r, '10.2.0.0/24')).toEqual([`${AS_R} ${AS_S} 65020 {65021,4200000022}`, `${AS_R} ${AS_S} 65020 65023`]);
      expect(withdrawn(d.items, IP.r)).toEqual(expect.arrayContaining(['10.1.0.0/16', '2001:db8:2::/48']));
      expect(announcement(d.items, IP.r, '10.6.0.0/24').attributes.communities).toHaveLength(MANY_COMMUNITIES.length);
      if (withExa) expect(announcedPaths(d.items, IP.r, '10.35.0.0/24')).toEqual([`${AS_R} ${LONG_X.join(' ')}`]);
    }
  });

  it.skipIf(!withFrr)(`FRR TABLE_DUMP_V2 (dump bgp routes-mrt) matches bgpdump${frrSkip}`, async () => {
    const d = await decodeAndCompare(files.frrRib, dir);
    const ribs = d.items.filter((i): i is Rib => i.kind === 'rib');
    expect(ribEntries(d.items)).toEqual(expect.arrayContaining([`${IP.r} 10.2.0.0/24 ${AS_R} ${AS_S} 65020 65023`, `${IP.r} 2001:db8:1::/48 ${AS_R} ${AS_S}`]));
    // F's own route: local peer entry, the attributes set by its route-map.
    const own = ribs.find((i) => i.prefix.prefix === '10.50.0.0/24');
    expect(own?.attributes.med).toBe(55);
    expect(own?.attributes.origin).toBe(1);
    expect(own?.attributes.largeCommunities).toEqual([AS_F, 5, 50]);
    // FRR's routes-mrt writes no EXTENDED_COMMUNITIES attribute (its UPDATEs carry it: see above).
    expect(own?.attributes.extendedCommunities).toBeNull();
    expect(own?.attributes.communities).toEqual([c(AS_F, 50)]);
  });
});
