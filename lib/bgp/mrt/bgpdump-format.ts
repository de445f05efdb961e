// Our MRT items printed in `bgpdump -m` line format (Debian bgpdump 1.6.2), so the differential
// test can compare the two decoders line by line. Reproduces bgpdump's presentation choices
// (0 for an absent MED/LOCAL_PREF, 255.255.255.255 for an absent next hop, no extended
// communities, large communities only as `-l` prints them, type-5 lines with the communities glued
// to the MED), not its decoding bugs. Pure.

import { AS_SEGMENT, MRT_TYPE, type AsPathSegment, type BgpAttributes, type MrtItem, type RoutePrefix } from '@/lib/bgp/mrt/types';

const ORIGIN_NAMES = ['IGP', 'EGP', 'INCOMPLETE'];
const NO_NEXT_HOP = '255.255.255.255';

/** AS path as bgpdump prints it: "1 2 {3,4} (5 6) [7,8]". */
export function formatAsPathText(path: AsPathSegment[] | null): string {
  if (!path) return '';
  let s = '';
  for (const seg of path) {
    if (seg.asns.length === 0) continue;
    if (s.length > 0) s += ' ';
    if (seg.type === AS_SEGMENT.SEQUENCE) s += seg.asns.join(' ');
    else if (seg.type === AS_SEGMENT.SET) s += `{${seg.asns.join(',')}}`;
    else if (seg.type === AS_SEGMENT.CONFED_SEQUENCE) s += `(${seg.asns.join(' ')})`;
    else s += `[${seg.asns.join(',')}]`;
  }
  return s;
}

function communityText(c: number): string {
  if (c === 0xffffff01) return 'no-export';
  if (c === 0xffffff02) return 'no-advertise';
  if (c === 0xffffff03) return 'local-AS';
  return `${Math.floor(c / 65536)}:${c % 65536}`;
}

/** The 8 hextets of an IPv6 address in our canonical text form. */
function hextetsOf(ip: string): number[] {
  let text = ip;
  if (text.includes('.')) {
    // Embedded dotted quad → two hex hextets.
    const cut = text.lastIndexOf(':') + 1;
    const q = text.slice(cut).split('.').map(Number);
    text = `${text.slice(0, cut)}${(((q[0]! << 8) | q[1]!) >>> 0).toString(16)}:${(((q[2]! << 8) | q[3]!) >>> 0).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const l = left ? left.split(':').map((h) => parseInt(h, 16)) : [];
  if (right === undefined) return l;
  const r = right ? right.split(':').map((h) => parseInt(h, 16)) : [];
  return [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
}

/**
 * bgpdump's own fmt_ipv6: the longest run of zero hextets is compressed even when it is a single
 * hextet (first run on ties), and IPv4-mapped and IPv4-compatible addresses keep a dotted quad.
 */
export function bgpdumpIpv6(ip: string): string {
  const h = hextetsOf(ip);
  const v4 = `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0) {
    if (h[5] === 0xffff) return `::ffff:${v4}`;
    if (h[5] === 0 && (h[6] !== 0 || h[7]! > 1)) return `::${v4}`;
  }
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      if (i === 0) s += ':';
      s += ':';
      i += bestLen - 1;
      continue;
    }
    s += h[i]!.toString(16);
    if (i !== 7) s += ':';
  }
  return s;
}

function addr(ip: string): string {
  return ip.includes(':') ? bgpdumpIpv6(ip) : ip;
}

function prefixText(p: RoutePrefix): string {
  return p.afi === 2 ? `${bgpdumpIpv6(p.prefix.slice(0, p.prefix.indexOf('/')))}/${p.length}` : p.prefix;
}

function nextHopFor(p: RoutePrefix, a: BgpAttributes): string {
  if (p.afi === 2) return a.mpNextHop ? addr(a.mpNextHop) : NO_NEXT_HOP;
  // bgpdump falls back to an IPv4 MP_REACH next hop when NEXT_HOP is absent (IPv4 multicast).
  return a.nextHop ?? (a.mpNextHop !== null && !a.mpNextHop.includes(':') ? a.mpNextHop : NO_NEXT_HOP);
}

/** The attribute columns after the prefix: "path|origin|nexthop|lp|med|communities|AG|aggregator|". */
function attributeColumns(p: RoutePrefix, a: BgpAttributes, withCommunities: boolean, large: boolean): string {
  const origin = a.origin !== null ? (ORIGIN_NAMES[a.origin] ?? 'INCOMPLETE') : 'INCOMPLETE';
  const communities = a.communities ? a.communities.map(communityText).join(' ') : '';
  // Type-5 lines print the communities glued to the MED, without a column separator.
  const comm = withCommunities ? `|${communities}` : communities;
  const agg = a.aggregatorAsn !== null ? `${a.aggregatorAsn} ${a.aggregatorIp}` : '';
  // bgpdump -l: the large communities as one more column after the communities (glued, like the
  // communities, on type-5 lines).
  const lcText = large ? largeCommunitiesText(a.largeCommunities) : '';
  const lc = large && withCommunities ? `|${lcText}` : lcText;
  return `${formatAsPathText(a.asPath)}|${origin}|${nextHopFor(p, a)}|${a.localPref ?? 0}|${a.med ?? 0}${comm}${lc}|${a.atomicAggregate ? 'AG' : 'NAG'}|${agg}|`;
}

function largeCommunitiesText(lc: number[] | null): string {
  if (!lc) return '';
  const parts: string[] = [];
  for (let i = 0; i + 2 < lc.length; i += 3) parts.push(`${lc[i]}:${lc[i + 1]}:${lc[i + 2]}`);
  return parts.join(' ');
}

function seconds(us: number): string {
  return String(Math.floor(us / 1e6));
}

function secondsMicros(us: number): string {
  const s = Math.floor(us / 1e6);
  return `${s}.${String(us - s * 1e6).padStart(6, '0')}`;
}

/** bgpdump -m lines of one item ([] for items bgpdump does not print). */
export function formatBgpdumpLines(item: MrtItem): string[] {
  return formatLines(item, false);
}

/** bgpdump -m -l lines (large communities shown after the communities). */
export function formatBgpdumpLinesLarge(item: MrtItem): string[] {
  return formatLines(item, true);
}

function formatLines(item: MrtItem, large: boolean): string[] {
  const type = item.record.type;
  switch (item.kind) {
    case 'rib': {
      const v2 = type === MRT_TYPE.TABLE_DUMP_V2;
      const ap = item.prefix.pathId !== null;
      const label = v2 ? (ap ? 'TABLE_DUMP2_AP' : 'TABLE_DUMP2') : 'TABLE_DUMP';
      const pathId = ap ? `${item.prefix.pathId}|` : '';
      return [
        `${label}|${seconds(item.timestampUs)}|B|${addr(item.peerIp)}|${item.peerAsn}|${prefixText(item.prefix)}|${pathId}${attributeColumns(item.prefix, item.attributes, true, large)}`,
      ];
    }
    case 'state': {
      const et = type === MRT_TYPE.BGP4MP_ET;
      const label = type === MRT_TYPE.BGP ? 'BGP' : et ? 'BGP4MP_ET' : 'BGP4MP';
      const t = et ? secondsMicros(item.timestampUs) : seconds(item.timestampUs);
      return [`${label}|${t}|STATE|${addr(item.peerIp)}|${item.peerAsn}|${item.oldState}|${item.newState}`];
    }
    case 'update': {
      const et = type === MRT_TYPE.BGP4MP_ET;
      const legacy = type === MRT_TYPE.BGP;
      const ap = !legacy && item.record.subtype >= 8;
      const label = legacy ? 'BGP' : `${et ? 'BGP4MP_ET' : 'BGP4MP'}${ap ? '_AP' : ''}`;
      const t = et ? secondsMicros(item.collectorTimeUs) : seconds(item.collectorTimeUs);
      const head = `${label}|${t}|`;
      const peer = `|${addr(item.peerIp)}|${item.peerAsn}|`;
      const lines: string[] = [];
      for (const p of item.withdrawn) if (p.safi <= 3) lines.push(`${head}W${peer}${prefixText(p)}${ap ? `|${p.pathId}` : ''}`);
      for (const p of item.announced) {
        if (p.safi > 3) continue; // bgpdump prints unicast and multicast only
        lines.push(`${head}A${peer}${prefixText(p)}|${ap ? `${p.pathId}|` : ''}${attributeColumns(p, item.attributes, !legacy, large)}`);
      }
      return lines;
    }
    default:
      return [];
  }
}
