// The RIS Live WebSocket protocol (see ../shared/reference/PROTOCOLS.md §1): zod schemas of every
// client and server frame — the documented contract — and `parseServerFrame`, the hot-path parser.
//
// Lenient where real data varies between wire generations (2019: host "rrc21", origin "igp",
// absent keys; 2025–26: host "rrc21.ripe.net", origin "IGP", empty arrays, peer_asn string):
// unknown extra keys are kept, peer_asn may be a string or a number, nullable optional fields.
// Strict where we would otherwise store garbage: timestamp must be a finite number, ASNs uint32,
// addresses valid IPs. Prefix strings are parsed by the normalizer, which skips (and reports) a
// bad prefix without losing the good ones in the same message.
//
// Why a hand-written validator next to the schemas: zod is the contract and is used for configs
// and tests, but the collector parses every frame of the firehose. `validateServerFrame` below
// checks the same rules in the same order and reports the same first failing field; the unit
// tests prove that on every real capture and on systematic mutations of them.

import { z } from 'zod';
import { isIpAddress, parsePrefix } from '@/lib/bgp/prefix';

// ---------------------------------------------------------------------------------------------
// Schemas (the contract)

const UINT32_MAX = 4294967295;
const uint32 = z.number().int().min(0).max(UINT32_MAX);
const ipAddress = z.string().refine(isIpAddress, 'expected an IP address');
const ASN_TEXT = /^\d{1,10}$/;
/** RIS sends peer_asn as a string ("64496"); older tools wrote numbers. */
const asnStringOrNumber = z.union([
  z
    .string()
    .regex(ASN_TEXT)
    .refine((s) => Number(s) <= UINT32_MAX, 'ASN out of range'),
  uint32,
]);

export const RIS_MESSAGE_TYPES = ['UPDATE', 'OPEN', 'NOTIFICATION', 'KEEPALIVE', 'RIS_PEER_STATE'] as const;
export type RisMessageType = (typeof RIS_MESSAGE_TYPES)[number];

const commonShape = {
  timestamp: z.number().min(0),
  peer: ipAddress,
  peer_asn: asnStringOrNumber,
  id: z.string().optional(),
  host: z.string().min(1),
  raw: z.string().optional(),
};

export const risAsPathElementSchema = z.union([uint32, z.array(uint32)]);

export const risAnnouncementSchema = z.looseObject({
  next_hop: ipAddress,
  prefixes: z.array(z.string()),
});

export const risUpdateSchema = z.looseObject({
  ...commonShape,
  type: z.literal('UPDATE'),
  path: z.array(risAsPathElementSchema).optional(),
  community: z.array(z.tuple([uint32, uint32])).optional(),
  origin: z.string().nullish(),
  med: uint32.nullish(),
  aggregator: z.string().nullish(),
  announcements: z.array(risAnnouncementSchema).optional(),
  withdrawals: z.array(z.string()).optional(),
});

export const risOpenSchema = z.looseObject({
  ...commonShape,
  type: z.literal('OPEN'),
  direction: z.string().optional(),
  version: uint32.optional(),
  asn: uint32.optional(),
  hold_time: uint32.optional(),
  router_id: z.string().optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
});

export const risNotificationSchema = z.looseObject({
  ...commonShape,
  type: z.literal('NOTIFICATION'),
  notification: z.looseObject({ code: uint32, subcode: uint32, data: z.string().optional() }),
});

export const risKeepaliveSchema = z.looseObject({ ...commonShape, type: z.literal('KEEPALIVE') });

export const risPeerStateSchema = z.looseObject({
  ...commonShape,
  type: z.literal('RIS_PEER_STATE'),
  state: z.string(),
});

/** The `data` object of a `ris_message` frame, every type. */
export const risMessageDataSchema = z.discriminatedUnion('type', [
  risUpdateSchema,
  risOpenSchema,
  risNotificationSchema,
  risKeepaliveSchema,
  risPeerStateSchema,
]);
export type RisMessageData = z.infer<typeof risMessageDataSchema>;
export type RisUpdateData = z.infer<typeof risUpdateSchema>;

const prefixText = z.string().refine((s) => {
  try {
    parsePrefix(s);
    return true;
  } catch {
    return false;
  }
}, 'expected a CIDR prefix with host bits zero');

/** The `data` object of `ris_subscribe` (and `ris_unsubscribe`). Strict: unknown keys are typos. */
export const risSubscriptionSchema = z.strictObject({
  host: z.string().min(1).optional(),
  type: z.enum(RIS_MESSAGE_TYPES).optional(),
  require: z.string().min(1).optional(),
  peer: ipAddress.optional(),
  /** An ASN, or a pattern such as "^3333,789$", "!6666$", "123,[789,10111]$". */
  path: z.union([uint32, z.string().min(1)]).optional(),
  prefix: z.union([prefixText, z.array(prefixText).min(1)]).optional(),
  moreSpecific: z.boolean().optional(),
  lessSpecific: z.boolean().optional(),
  socketOptions: z
    .strictObject({ includeRaw: z.boolean().optional(), acknowledge: z.boolean().optional() })
    .optional(),
});
export type RisSubscription = z.infer<typeof risSubscriptionSchema>;

export const risClientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ris_subscribe'), data: risSubscriptionSchema }),
  z.strictObject({ type: z.literal('ris_unsubscribe'), data: risSubscriptionSchema }),
  z.strictObject({ type: z.literal('ping'), data: z.null().optional() }),
  z.strictObject({ type: z.literal('request_rrc_list'), data: z.union([z.null(), z.array(z.string())]).optional() }),
]);
export type RisClientFrame = z.infer<typeof risClientFrameSchema>;

export const risServerFrameSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ris_message'), data: risMessageDataSchema }),
  z.looseObject({ type: z.literal('ris_error'), data: z.looseObject({ message: z.string() }) }),
  z.looseObject({ type: z.literal('ris_subscribe_ok'), data: z.unknown().optional() }),
  z.looseObject({ type: z.literal('ris_rrc_list'), data: z.array(z.string()) }),
  z.looseObject({ type: z.literal('pong'), data: z.unknown().optional() }),
]);
export type RisServerFrame = z.infer<typeof risServerFrameSchema>;

export type ParsedServerFrame =
  | { kind: 'ris_message'; data: RisMessageData }
  | { kind: 'ris_error'; message: string }
  | { kind: 'pong' }
  | { kind: 'ris_subscribe_ok'; data: unknown }
  | { kind: 'ris_rrc_list'; data: string[] }
  | { kind: 'malformed'; reason: string };

/** "rrc21.ripe.net" → "rrc21" (2025+ wire); "rrc21" stays. */
export function normalizeCollectorName(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.ripe.net') ? h.slice(0, -'.ripe.net'.length) : h;
}

// ---------------------------------------------------------------------------------------------
// Reasons. Both validators name the first failing field as a dotted path ("data.peer_asn").

type IssuePath = ReadonlyArray<string | number>;

function issueReason(path: IssuePath, message: string): string {
  return `invalid ${path.length ? path.join('.') : 'frame'}: ${message}`;
}

const SERVER_FRAME_TYPES = new Set(['ris_message', 'ris_error', 'ris_subscribe_ok', 'ris_rrc_list', 'pong']);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// Fast validator: same rules and order as the schemas above. Returns null when valid, otherwise
// the path and message of the first problem.

interface Issue {
  path: Array<string | number>;
  message: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUint32(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= UINT32_MAX;
}

function checkUint32(v: unknown, path: Array<string | number>): Issue | null {
  return isUint32(v) ? null : { path, message: `expected uint32, got ${describe(v)}` };
}

function checkString(v: unknown, path: Array<string | number>): Issue | null {
  return typeof v === 'string' ? null : { path, message: `expected string, got ${describe(v)}` };
}

function checkIp(v: unknown, path: Array<string | number>): Issue | null {
  if (typeof v !== 'string') return { path, message: `expected string, got ${describe(v)}` };
  return isIpAddress(v) ? null : { path, message: 'expected an IP address' };
}

function checkCommon(d: Obj, p: Array<string | number>): Issue | null {
  const ts = d.timestamp;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) {
    return { path: [...p, 'timestamp'], message: `expected a finite non-negative number, got ${describe(ts)}` };
  }
  const peerIssue = checkIp(d.peer, [...p, 'peer']);
  if (peerIssue) return peerIssue;
  const asn = d.peer_asn;
  const asnOk = typeof asn === 'string' ? ASN_TEXT.test(asn) && Number(asn) <= UINT32_MAX : isUint32(asn);
  if (!asnOk) return { path: [...p, 'peer_asn'], message: 'expected an ASN (string or number)' };
  if (d.id !== undefined && typeof d.id !== 'string') return { path: [...p, 'id'], message: 'expected string' };
  if (typeof d.host !== 'string' || d.host.length === 0) return { path: [...p, 'host'], message: 'expected non-empty string' };
  if (d.raw !== undefined && typeof d.raw !== 'string') return { path: [...p, 'raw'], message: 'expected string' };
  return null;
}

function checkUpdate(d: Obj, p: Array<string | number>): Issue | null {
  const path = d.path;
  if (path !== undefined) {
    if (!Array.isArray(path)) return { path: [...p, 'path'], message: 'expected array' };
    for (let i = 0; i < path.length; i++) {
      const hop: unknown = path[i];
      if (isUint32(hop)) continue;
      if (Array.isArray(hop) && hop.every(isUint32)) continue;
      return { path: [...p, 'path', i], message: 'expected ASN or AS_SET array of ASNs' };
    }
  }
  const community = d.community;
  if (community !== undefined) {
    if (!Array.isArray(community)) return { path: [...p, 'community'], message: 'expected array' };
    for (let i = 0; i < community.length; i++) {
      const c: unknown = community[i];
      if (!Array.isArray(c) || c.length !== 2) return { path: [...p, 'community', i], message: 'expected [asn, value]' };
      const e = checkUint32(c[0], [...p, 'community', i, 0]) ?? checkUint32(c[1], [...p, 'community', i, 1]);
      if (e) return e;
    }
  }
  if (d.origin != null && typeof d.origin !== 'string') return { path: [...p, 'origin'], message: 'expected string' };
  if (d.med != null) {
    const e = checkUint32(d.med, [...p, 'med']);
    if (e) return e;
  }
  if (d.aggregator != null && typeof d.aggregator !== 'string') return { path: [...p, 'aggregator'], message: 'expected string' };
  const ann = d.announcements;
  if (ann !== undefined) {
    if (!Array.isArray(ann)) return { path: [...p, 'announcements'], message: 'expected array' };
    for (let i = 0; i < ann.length; i++) {
      const a: unknown = ann[i];
      if (!isObj(a)) return { path: [...p, 'announcements', i], message: `expected object, got ${describe(a)}` };
      const e = checkIp(a.next_hop, [...p, 'announcements', i, 'next_hop']);
      if (e) return e;
      const prefixes = a.prefixes;
      if (!Array.isArray(prefixes)) return { path: [...p, 'announcements', i, 'prefixes'], message: 'expected array' };
      for (let j = 0; j < prefixes.length; j++) {
        if (typeof prefixes[j] !== 'string') return { path: [...p, 'announcements', i, 'prefixes', j], message: 'expected string' };
      }
    }
  }
  const wd = d.withdrawals;
  if (wd !== undefined) {
    if (!Array.isArray(wd)) return { path: [...p, 'withdrawals'], message: 'expected array' };
    for (let j = 0; j < wd.length; j++) {
      if (typeof wd[j] !== 'string') return { path: [...p, 'withdrawals', j], message: 'expected string' };
    }
  }
  return null;
}

function checkOpen(d: Obj, p: Array<string | number>): Issue | null {
  if (d.direction !== undefined && typeof d.direction !== 'string') return { path: [...p, 'direction'], message: 'expected string' };
  for (const k of ['version', 'asn', 'hold_time'] as const) {
    if (d[k] !== undefined) {
      const e = checkUint32(d[k], [...p, k]);
      if (e) return e;
    }
  }
  if (d.router_id !== undefined && typeof d.router_id !== 'string') return { path: [...p, 'router_id'], message: 'expected string' };
  if (d.capabilities !== undefined && !isObj(d.capabilities)) return { path: [...p, 'capabilities'], message: 'expected object' };
  return null;
}

function checkNotification(d: Obj, p: Array<string | number>): Issue | null {
  const n = d.notification;
  if (!isObj(n)) return { path: [...p, 'notification'], message: `expected object, got ${describe(n)}` };
  return (
    checkUint32(n.code, [...p, 'notification', 'code']) ??
    checkUint32(n.subcode, [...p, 'notification', 'subcode']) ??
    (n.data !== undefined ? checkString(n.data, [...p, 'notification', 'data']) : null)
  );
}

/** Validates a `ris_message` data object (fast path of risMessageDataSchema). */
export function validateRisMessageData(d: unknown, p: Array<string | number> = []): Issue | null {
  if (!isObj(d)) return { path: p, message: `expected object, got ${describe(d)}` };
  const type = d.type;
  if (typeof type !== 'string' || !(RIS_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { path: [...p, 'type'], message: `unknown message type ${JSON.stringify(type)?.slice(0, 40)}` };
  }
  const common = checkCommon(d, p);
  if (common) return common;
  switch (type as RisMessageType) {
    case 'UPDATE':
      return checkUpdate(d, p);
    case 'OPEN':
      return checkOpen(d, p);
    case 'NOTIFICATION':
      return checkNotification(d, p);
    case 'KEEPALIVE':
      return null;
    case 'RIS_PEER_STATE':
      return checkString(d.state, [...p, 'state']);
  }
}

// ---------------------------------------------------------------------------------------------
// Frame parsing

function sizeReason(text: string, maxBytes: number): string | null {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap length check is exact in
  // one direction; the byte count is only computed when it could matter.
  const tooLarge = text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes);
  return tooLarge ? `frame too large (> ${maxBytes} bytes)` : null;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message.slice(0, 120)}` };
  }
}

function unknownTypeReason(type: unknown): string {
  return `unknown frame type ${(JSON.stringify(type) ?? 'undefined').slice(0, 40)}`;
}

/**
 * Parses one text frame from the server. Never throws: anything unusable (too large, invalid
 * JSON, unknown type, missing or invalid fields) becomes `{ kind: 'malformed', reason }`.
 */
export function parseServerFrame(text: string, maxBytes: number): ParsedServerFrame {
  const size = sizeReason(text, maxBytes);
  if (size) return { kind: 'malformed', reason: size };
  const json = parseJson(text);
  if (!json.ok) return { kind: 'malformed', reason: json.reason };
  const frame = json.value;
  if (!isObj(frame)) return { kind: 'malformed', reason: issueReason([], `expected object, got ${describe(frame)}`) };
  const type = frame.type;
  if (typeof type !== 'string' || !SERVER_FRAME_TYPES.has(type)) return { kind: 'malformed', reason: unknownTypeReason(type) };
  const data = frame.data;
  switch (type) {
    case 'ris_message': {
      const issue = validateRisMessageData(data, ['data']);
      if (issue) return { kind: 'malformed', reason: issueReason(issue.path, issue.message) };
      return { kind: 'ris_message', data: data as RisMessageData };
    }
    case 'ris_error': {
      if (!isObj(data)) return { kind: 'malformed', reason: issueReason(['data'], `expected object, got ${describe(data)}`) };
      if (typeof data.message !== 'string') return { kind: 'malformed', reason: issueReason(['data', 'message'], 'expected string') };
      return { kind: 'ris_error', message: data.message };
    }
    case 'ris_rrc_list': {
      if (!Array.isArray(data)) return { kind: 'malformed', reason: issueReason(['data'], 'expected array') };
      for (let i = 0; i < data.length; i++) {
        if (typeof data[i] !== 'string') return { kind: 'malformed', reason: issueReason(['data', i], 'expected string') };
      }
      return { kind: 'ris_rrc_list', data: data as string[] };
    }
    case 'ris_subscribe_ok':
      return { kind: 'ris_subscribe_ok', data };
    default:
      return { kind: 'pong' };
  }
}

/**
 * The same parser built only on the zod schemas: the reference `parseServerFrame` is tested
 * against, and the baseline of the throughput benchmark.
 */
export function parseServerFrameWithZod(text: string, maxBytes: number): ParsedServerFrame {
  const size = sizeReason(text, maxBytes);
  if (size) return { kind: 'malformed', reason: size };
  const json = parseJson(text);
  if (!json.ok) return { kind: 'malformed', reason: json.reason };
  const frame = json.value;
  if (isObj(frame) && (typeof frame.type !== 'string' || !SERVER_FRAME_TYPES.has(frame.type))) {
    return { kind: 'malformed', reason: unknownTypeReason(frame.type) };
  }
  const parsed = risServerFrameSchema.safeParse(frame);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = (first?.path ?? []).map((k) => (typeof k === 'symbol' ? String(k) : k));
    return { kind: 'malformed', reason: issueReason(path, first?.message ?? 'invalid') };
  }
  const f = parsed.data;
  switch (f.type) {
    case 'ris_message':
      return { kind: 'ris_message', data: f.data };
    case 'ris_error':
      return { kind: 'ris_error', message: f.data.message };
    case 'ris_rrc_list':
      return { kind: 'ris_rrc_list', data: f.data };
    case 'ris_subscribe_ok':
      return { kind: 'ris_subscribe_ok', data: f.data };
    case 'pong':
      return { kind: 'pong' };
  }
}

/** The field path a malformed reason names ("data.peer_asn"), for comparing the two parsers. */
export function reasonField(reason: string): string {
  const m = /^invalid ([^:]+):/.exec(reason);
  return m ? m[1]! : reason.split(':')[0]!;
}
