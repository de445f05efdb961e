// Does a RIS Live `ris_message` data object match a `ris_subscribe` data object?
//
// Pure. Used by the replay server (which must filter exactly like RIS Live so the collector cannot
// tell replay from live) and usable by anything that narrows a recorded stream. Semantics follow
// the RIS Live manual (PROTOCOLS.md §1.2): the fields of one subscription are AND-ed, several
// subscriptions on one socket are OR-ed (see matchesAnySubscription).

import { canonicalIp, parsePrefix, type ParsedPrefix } from '@/lib/bgp/prefix';

/** The subscription fields this module reads (a structural subset of RIS Live's ris_subscribe data). */
export interface FilterSubscription {
  host?: string | undefined;
  type?: string | undefined;
  require?: string | undefined;
  peer?: string | undefined;
  path?: number | string | undefined;
  prefix?: string | readonly string[] | undefined;
  moreSpecific?: boolean | undefined;
  lessSpecific?: boolean | undefined;
}

/** The message fields this module reads (a structural subset of a ris_message data object). */
export interface FilterMessage {
  type?: unknown;
  host?: unknown;
  peer?: unknown;
  path?: unknown;
  announcements?: unknown;
  withdrawals?: unknown;
}

/** One hop of a pattern: a plain ASN (matches a sequence hop) or an AS_SET (members ascending). */
export type PathToken = { kind: 'asn'; asn: number } | { kind: 'set'; members: number[] };

export interface PathPattern {
  /** `!` prefix: the subscription matches paths that do NOT match the rest of the pattern. */
  negate: boolean;
  /** `^`: the sequence must start at the first hop (the peer side). */
  anchorStart: boolean;
  /** `$`: the sequence must end at the last hop (the origin). */
  anchorEnd: boolean;
  tokens: PathToken[];
  /**
   * True for the integer form (`"path": 3356`): the ASN may appear anywhere, AS_SET members
   * included, which is what "transit through AS 3356" means.
   */
  anywhere: boolean;
}

export class PathPatternError extends Error {
  override name = 'PathPatternError';
}

export class SubscriptionError extends Error {
  override name = 'SubscriptionError';
}

const MAX_ASN = 4294967295;

function parseAsn(text: string, whole: string): number {
  if (!/^\d{1,10}$/.test(text)) {
    throw new PathPatternError(`invalid path pattern ${JSON.stringify(whole)}: ${JSON.stringify(text)} is not an AS number`);
  }
  const asn = Number(text);
  if (asn > MAX_ASN) throw new PathPatternError(`invalid path pattern ${JSON.stringify(whole)}: AS number ${text} is out of range`);
  return asn;
}

/**
 * Parses a RIS Live `path` filter: an integer ASN, or a string of comma-separated ASNs with an
 * optional leading `!` (negate), `^` (anchor at the first hop) and trailing `$` (anchor at the
 * origin); AS_SETs are written `[a,b]` with members in ascending order. Not a regex.
 * Throws PathPatternError with a message fit to send back in a `ris_error`.
 */
export function parsePathPattern(p: number | string): PathPattern {
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 0 || p > MAX_ASN) throw new PathPatternError(`invalid path ${p}: not an AS number`);
    return { negate: false, anchorStart: false, anchorEnd: false, tokens: [{ kind: 'asn', asn: p }], anywhere: true };
  }
  if (typeof p !== 'string') throw new PathPatternError('invalid path: must be an AS number or a pattern string');
  let rest = p.trim();
  const negate = rest.startsWith('!');
  if (negate) rest = rest.slice(1);
  const anchorStart = rest.startsWith('^');
  if (anchorStart) rest = rest.slice(1);
  const anchorEnd = rest.endsWith('$');
  if (anchorEnd) rest = rest.slice(0, -1);
  if (rest.trim() === '') throw new PathPatternError(`invalid path pattern ${JSON.stringify(p)}: no AS numbers`);

  const tokens: PathToken[] = [];
  let i = 0;
  while (i < rest.length) {
    if (rest[i] === '[') {
      const close = rest.indexOf(']', i);
      if (close < 0) throw new PathPatternError(`invalid path pattern ${JSON.stringify(p)}: unclosed AS_SET '['`);
      const inner = rest.slice(i + 1, close);
      const members = inner.split(',').map((m) => parseAsn(m.trim(), p));
      for (let k = 1; k < members.length; k++) {
        if (members[k]! <= members[k - 1]!) {
          throw new PathPatternError(`invalid path pattern ${JSON.stringify(p)}: AS_SET members must be in ascending order`);
        }
      }
      tokens.push({ kind: 'set', members });
      i = close + 1;
    } else {
      let end = rest.indexOf(',', i);
      if (end < 0) end = rest.length;
      tokens.push({ kind: 'asn', asn: parseAsn(rest.slice(i, end).trim(), p) });
      i = end;
    }
    if (i < rest.length) {
      if (rest[i] !== ',') throw new PathPatternError(`invalid path pattern ${JSON.stringify(p)}: expected ',' at position ${i}`);
      i++;
      if (i === rest.length) throw new PathPatternError(`invalid path pattern ${JSON.stringify(p)}: trailing ','`);
    }
  }
  return { negate, anchorStart, anchorEnd, tokens, anywhere: false };
}

function hopMatches(hop: unknown, token: PathToken): boolean {
  if (token.kind === 'asn') return hop === token.asn;
  if (!Array.isArray(hop) || hop.length !== token.members.length) return false;
  const sorted = [...hop].sort((a, b) => Number(a) - Number(b));
  for (let k = 0; k < sorted.length; k++) if (sorted[k] !== token.members[k]) return false;
  return true;
}

/** Does an AS path (RIS Live form: ints, AS_SETs as nested arrays) match a parsed pattern? */
export function pathMatches(path: readonly unknown[], pattern: PathPattern): boolean {
  return pattern.negate !== positivePathMatch(path, pattern);
}

function positivePathMatch(path: readonly unknown[], pattern: PathPattern): boolean {
  if (pattern.anywhere) {
    const asn = (pattern.tokens[0] as { asn: number }).asn;
    return path.some((hop) => hop === asn || (Array.isArray(hop) && hop.includes(asn)));
  }
  const n = pattern.tokens.length;
  // `^` pins the start to hop 0, `$` pins it to length - n; with both, only a whole-path match fits.
  const lo = pattern.anchorEnd ? path.length - n : 0;
  const hi = pattern.anchorStart ? 0 : path.length - n;
  for (let start = Math.max(0, lo); start <= hi; start++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) ok = hopMatches(path[start + k], pattern.tokens[k]!);
    if (ok) return true;
  }
  return false;
}

/** A subscription with its prefixes and path pattern parsed once, for matching many messages. */
export interface CompiledSubscription {
  host: string | null;
  type: string | null;
  require: string | null;
  peer: string | null;
  path: PathPattern | null;
  prefixes: ParsedPrefix[] | null;
  moreSpecific: boolean;
  lessSpecific: boolean;
}

function stripRipeNet(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.ripe.net') ? lower.slice(0, -'.ripe.net'.length) : lower;
}

/**
 * Validates and pre-parses a subscription. Throws SubscriptionError (or PathPatternError) with a
 * message fit for a `ris_error` when a prefix, peer or path is invalid.
 */
export function compileSubscription(sub: FilterSubscription): CompiledSubscription {
  let prefixes: ParsedPrefix[] | null = null;
  if (sub.prefix !== undefined) {
    const list = typeof sub.prefix === 'string' ? [sub.prefix] : [...sub.prefix];
    if (list.length === 0) throw new SubscriptionError('invalid prefix: empty list');
    prefixes = list.map((p) => {
      try {
        // RIS Live accepts "193.0.0.1/16"-style input loosely; we canonicalise rather than refuse.
        return parsePrefix(p, { allowHostBits: true });
      } catch (err) {
        throw new SubscriptionError(`invalid prefix ${JSON.stringify(p)}: ${(err as Error).message}`);
      }
    });
  }
  let peer: string | null = null;
  if (sub.peer !== undefined) {
    try {
      peer = canonicalIp(sub.peer);
    } catch {
      throw new SubscriptionError(`invalid peer ${JSON.stringify(sub.peer)}: not an IP address`);
    }
  }
  return {
    host: sub.host === undefined ? null : stripRipeNet(sub.host),
    type: sub.type === undefined ? null : sub.type.toUpperCase(),
    require: sub.require === undefined ? null : sub.require,
    peer,
    path: sub.path === undefined ? null : parsePathPattern(sub.path),
    prefixes,
    moreSpecific: sub.moreSpecific ?? true,
    lessSpecific: sub.lessSpecific ?? false,
  };
}

function isNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Every announced and withdrawn prefix string of an UPDATE (unparsed, possibly non-canonical). */
export function messagePrefixes(data: FilterMessage): string[] {
  const out: string[] = [];
  if (Array.isArray(data.announcements)) {
    for (const a of data.announcements) {
      const ps = (a as { prefixes?: unknown } | null)?.prefixes;
      if (Array.isArray(ps)) for (const p of ps) if (typeof p === 'string') out.push(p);
    }
  }
  if (Array.isArray(data.withdrawals)) for (const p of data.withdrawals) if (typeof p === 'string') out.push(p);
  return out;
}

/** outer contains inner (equal or more specific), both already parsed. */
function contains(outer: ParsedPrefix, inner: ParsedPrefix): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  const width = outer.family === 4 ? 32n : 128n;
  const shift = width - BigInt(outer.length);
  return inner.bits >> shift === outer.bits >> shift;
}

function prefixMatches(messagePrefix: ParsedPrefix, sub: CompiledSubscription): boolean {
  for (const f of sub.prefixes!) {
    if (messagePrefix.family !== f.family) continue;
    if (messagePrefix.length === f.length) {
      if (messagePrefix.bits === f.bits) return true;
    } else if (messagePrefix.length > f.length) {
      if (sub.moreSpecific && contains(f, messagePrefix)) return true;
    } else if (sub.lessSpecific && contains(messagePrefix, f)) return true;
  }
  return false;
}

function peerMatches(peer: unknown, wanted: string): boolean {
  if (typeof peer !== 'string') return false;
  if (peer === wanted) return true;
  try {
    return canonicalIp(peer) === wanted;
  } catch {
    return false;
  }
}

/**
 * Matches a message against a compiled subscription. `parsedPrefixes` lets a caller that checks
 * one message against many subscriptions parse the message's prefixes once (see parseMessagePrefixes).
 */
export function matchesCompiled(data: FilterMessage, sub: CompiledSubscription, parsedPrefixes?: ParsedPrefix[]): boolean {
  if (sub.type !== null && (typeof data.type !== 'string' || data.type.toUpperCase() !== sub.type)) return false;
  if (sub.host !== null && (typeof data.host !== 'string' || stripRipeNet(data.host) !== sub.host)) return false;
  if (sub.require !== null && !isNonEmpty((data as Record<string, unknown>)[sub.require])) return false;
  if (sub.peer !== null && !peerMatches(data.peer, sub.peer)) return false;
  if (sub.path !== null) {
    // A message without a path (OPEN, KEEPALIVE, ...) cannot satisfy a path filter, negated or not.
    if (!Array.isArray(data.path)) return false;
    if (!pathMatches(data.path, sub.path)) return false;
  }
  if (sub.prefixes !== null) {
    if (data.type !== 'UPDATE') return false;
    const parsed = parsedPrefixes ?? parseMessagePrefixes(data);
    if (!parsed.some((p) => prefixMatches(p, sub))) return false;
  }
  return true;
}

/** The message's prefixes, parsed; unparseable ones are left out (they can match no filter). */
export function parseMessagePrefixes(data: FilterMessage): ParsedPrefix[] {
  const out: ParsedPrefix[] = [];
  for (const p of messagePrefixes(data)) {
    try {
      out.push(parsePrefix(p, { allowHostBits: true }));
    } catch {
      // Bad prefix text in the message: it matches nothing; the collector counts it, not us.
    }
  }
  return out;
}

/** Does the message match this one subscription? (Parses the subscription; prefer compileSubscription in loops.) */
export function matchesSubscription(data: FilterMessage, sub: FilterSubscription): boolean {
  return matchesCompiled(data, compileSubscription(sub));
}

/** Several subscriptions on one socket are OR-ed. No subscription matches nothing. */
export function matchesAnySubscription(data: FilterMessage, subs: readonly CompiledSubscription[]): boolean {
  if (subs.length === 0) return false;
  let parsed: ParsedPrefix[] | undefined;
  for (const s of subs) {
    if (s.prefixes !== null && parsed === undefined && data.type === 'UPDATE') parsed = parseMessagePrefixes(data);
    if (matchesCompiled(data, s, parsed)) return true;
  }
  return false;
}
