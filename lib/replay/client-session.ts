// One WebSocket client of the replay server: its subscriptions and socket options, and the
// answers to what it sends (ris_subscribe, ris_unsubscribe, ping, request_rrc_list). Pure: the
// server passes text in and sends the returned frames.

import { risSubscriptionSchema, type RisSubscription } from '@/lib/sources/ris-live/messages';
import {
  compileSubscription,
  matchesAnySubscription,
  type CompiledSubscription,
  type FilterMessage,
} from '@/lib/sources/ris-live/subscription-filter';
import { parsePrefix } from '@/lib/bgp/prefix';

/** The RIS collectors (rrc00–rrc26 that have existed); the answer to request_rrc_list. */
export const RRC_LIST: readonly string[] = Array.from({ length: 27 }, (_, i) => `rrc${String(i).padStart(2, '0')}`);

export type ServerFrame = { type: string; data: unknown };

interface ActiveSubscription {
  key: string;
  compiled: CompiledSubscription;
}

export interface HandleResult {
  replies: ServerFrame[];
  /** True when this message added at least one subscription. */
  subscribed: boolean;
}

function error(message: string): ServerFrame {
  return { type: 'ris_error', data: { message } };
}

/** One subscription per prefix (RIS Live makes each array element its own subscription). */
function expand(sub: RisSubscription): RisSubscription[] {
  const { socketOptions: _options, ...rest } = sub;
  if (rest.prefix === undefined || typeof rest.prefix === 'string') return [rest];
  return rest.prefix.map((prefix) => ({ ...rest, prefix }));
}

/** Identity of a subscription for ris_unsubscribe: defaults filled in, prefix canonical, keys sorted. */
function subscriptionKey(sub: RisSubscription): string {
  const norm: Record<string, unknown> = { ...sub, moreSpecific: sub.moreSpecific ?? true, lessSpecific: sub.lessSpecific ?? false };
  if (typeof sub.prefix === 'string') norm.prefix = parsePrefix(sub.prefix, { allowHostBits: true }).canonical;
  if (typeof sub.host === 'string') norm.host = sub.host.toLowerCase().replace(/\.ripe\.net$/, '');
  return JSON.stringify(Object.keys(norm).sort().map((k) => [k, norm[k]]));
}

function describeIssues(err: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const first = err.issues[0];
  if (!first) return 'invalid subscription';
  const where = first.path.length ? first.path.map(String).join('.') : 'data';
  return `invalid subscription: ${where}: ${first.message}`;
}

export class ClientSession {
  private subs: ActiveSubscription[] = [];
  private compiled: CompiledSubscription[] = [];
  includeRaw = false;
  acknowledge = false;

  get subscriptionCount(): number {
    return this.subs.length;
  }

  matches(data: FilterMessage): boolean {
    return matchesAnySubscription(data, this.compiled);
  }

  handle(text: string): HandleResult {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return { replies: [error('invalid JSON')], subscribed: false };
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { replies: [error('expected a JSON object')], subscribed: false };
    const { type, data } = msg as { type?: unknown; data?: unknown };
    switch (type) {
      case 'ping':
        return { replies: [{ type: 'pong', data: null }], subscribed: false };
      case 'request_rrc_list':
        return { replies: [{ type: 'ris_rrc_list', data: [...RRC_LIST] }], subscribed: false };
      case 'ris_subscribe':
        return this.subscribe(data);
      case 'ris_unsubscribe':
        return this.unsubscribe(data);
      default:
        return { replies: [error(`unknown message type ${JSON.stringify(type ?? null).slice(0, 40)}`)], subscribed: false };
    }
  }

  private subscribe(data: unknown): HandleResult {
    const parsed = risSubscriptionSchema.safeParse(data ?? {});
    if (!parsed.success) return { replies: [error(describeIssues(parsed.error))], subscribed: false };
    const sub = parsed.data;
    const added: Array<{ sub: RisSubscription; active: ActiveSubscription }> = [];
    for (const one of expand(sub)) {
      try {
        added.push({ sub: one, active: { key: subscriptionKey(one), compiled: compileSubscription(one) } });
      } catch (err) {
        // Nothing of a bad subscription is applied, like a rejected request.
        return { replies: [error((err as Error).message)], subscribed: false };
      }
    }
    // A later subscription that carries socketOptions overrides the earlier ones.
    if (sub.socketOptions) {
      this.includeRaw = sub.socketOptions.includeRaw ?? false;
      this.acknowledge = sub.socketOptions.acknowledge ?? false;
    }
    const replies: ServerFrame[] = [];
    for (const { sub: one, active } of added) {
      if (!this.subs.some((s) => s.key === active.key)) this.subs.push(active);
      this.compiled = this.subs.map((s) => s.compiled);
      if (this.acknowledge) {
        replies.push({
          type: 'ris_subscribe_ok',
          data: { subscription: one, socketOptions: { includeRaw: this.includeRaw, acknowledge: this.acknowledge } },
        });
      }
    }
    return { replies, subscribed: true };
  }

  private unsubscribe(data: unknown): HandleResult {
    const parsed = risSubscriptionSchema.safeParse(data ?? {});
    if (!parsed.success) return { replies: [error(describeIssues(parsed.error))], subscribed: false };
    let missing = 0;
    for (const one of expand(parsed.data)) {
      const key = subscriptionKey(one);
      const before = this.subs.length;
      this.subs = this.subs.filter((s) => s.key !== key);
      if (this.subs.length === before) missing++;
    }
    this.compiled = this.subs.map((s) => s.compiled);
    return { replies: missing > 0 ? [error('subscription not found')] : [], subscribed: false };
  }
}
