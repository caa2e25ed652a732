/**
 * Where each message on the wire is at a moment of the cluster clock: a pure function of the
 * flow buffer, the boxes' positions and `now`, so pause, step and speed move the picture
 * exactly as they move the cluster. A message travels from its sender's box to its receiver's,
 * its position interpolated between its send and delivery times (stretched to a minimum so a
 * sub-millisecond hop can be seen); one not yet delivered is extrapolated with a typical
 * latency and held near its receiver; one that will never arrive stops at the break and fades.
 * Above a threshold, or when the person prefers reduced motion, the messages of the last
 * moment are summed into rates between pairs of nodes instead.
 */
import type { FlowBuffer, FlowMessage } from '../store/flows';
import { route, routePoint, type Anchor, type Route } from './geometry';

export type FlowCategory = 'produce' | 'replication' | 'consume' | 'quorum' | 'election' | 'heartbeat' | 'group' | 'isr' | 'other';

/** Colours per kind of traffic: records in warm and cool tones, control traffic muted. */
export const CATEGORY_COLOURS: Record<FlowCategory, string> = {
  produce: '#e07b00',
  replication: '#2563eb',
  consume: '#16a34a',
  quorum: '#8b6fd6',
  election: '#c026d3',
  heartbeat: '#94a3b8',
  group: '#0d9488',
  isr: '#dc2626',
  other: '#64748b',
};
export const ERROR_COLOUR = '#c62828';

export const CATEGORY_LABELS: Record<FlowCategory, string> = {
  produce: 'Produce', replication: 'replica Fetch', consume: 'consumer Fetch', quorum: 'KRaft Fetch (metadata)',
  election: 'Vote, BeginQuorumEpoch', heartbeat: 'broker heartbeats', group: 'group APIs', isr: 'AlterPartition', other: 'Metadata and others',
};

const GROUP_APIS = new Set(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'OffsetCommit', 'OffsetFetch', 'DescribeGroups', 'ListGroups', 'DeleteGroups']);
const ELECTION_APIS = new Set(['Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'FetchSnapshot']);
const isBroker = (a: string) => a.startsWith('broker-');
const isController = (a: string) => a.startsWith('controller-');

export function categoryOf(message: Pick<FlowMessage, 'api' | 'from' | 'to'>): FlowCategory {
  const { api, from, to } = message;
  if (api === 'Produce') return 'produce';
  if (ELECTION_APIS.has(api)) return 'election';
  if (api === 'Fetch') {
    if (isController(from) || isController(to)) return 'quorum';
    if (isBroker(from) && isBroker(to)) return 'replication';
    return 'consume';
  }
  if (api === 'BrokerHeartbeat' || api === 'BrokerRegistration') return 'heartbeat';
  if (api === 'AlterPartition') return 'isr';
  if (GROUP_APIS.has(api)) return 'group';
  return 'other';
}

export interface Dot {
  x: number; y: number;
  /** Diameter, or a batch's width. */
  size: number;
  colour: string;
  /** dot: a request; ring: a response; batch: records (its size by bytes). */
  shape: 'dot' | 'ring' | 'batch';
  alpha: number;
  dropped: boolean;
  message: FlowMessage;
}

export interface Rate { route: Route; perSecond: number; bytesPerSecond: number; colour: string; fromAddress: string; toAddress: string }

export interface Frame {
  mode: 'dots' | 'rates';
  dots: Dot[];
  rates: Rate[];
  /** Messages on their way now (drawn as dots, or counted in the rates). */
  inFlight: number;
}

export interface FrameOptions {
  now: number;
  /** Cluster milliseconds a hop is drawn at least (a sub-millisecond hop would never be seen). */
  minVisibleMs: number;
  /** Above this many messages in flight, draw rates. */
  threshold: number;
  reducedMotion: boolean;
  /** Cluster milliseconds of traffic summed into rates. */
  rateWindowMs: number;
}

/** The box a node or client is drawn in, and what it is; null when it has none on the stage. */
export type AnchorOf = (address: string) => Anchor | null;

/** How far an undelivered message is drawn at most: near its receiver, waiting. */
export const HOLD_AT = 0.9;
/** Where a dropped message stops: the break in the middle. */
export const DROP_AT = 0.5;
/** After this many minimum hops an undelivered message is forgotten (its answer will be a timeout). */
const STALE_HOPS = 40;

/** How far along its path a message is at `now` (0 to 1), or null when it is not on the stage now. */
export function progressOf(message: FlowMessage, now: number, minVisibleMs: number): { t: number; alpha: number } | null {
  const age = now - message.sentAt;
  // Clocks of different workers may disagree by a hair: a send just "after" now starts at once.
  if (age < -minVisibleMs) return null;
  const a = Math.max(0, age);
  if (!Number.isNaN(message.deliveredAt)) {
    const duration = Math.max(message.deliveredAt - message.sentAt, minVisibleMs);
    const t = a / duration;
    return t >= 1 ? null : { t, alpha: 1 };
  }
  if (message.dropped) {
    const t = Math.min(DROP_AT, a / minVisibleMs / 2);
    // It fades once it reached the break (or once it was known lost).
    const reached = Math.max(message.sentAt + minVisibleMs, message.droppedAt);
    const fade = (now - reached) / (minVisibleMs * 2);
    return fade >= 1 ? null : { t, alpha: Math.max(0.15, 1 - Math.max(0, fade)) };
  }
  if (a > minVisibleMs * STALE_HOPS) return null;
  return { t: Math.min(HOLD_AT, a / minVisibleMs), alpha: 1 };
}

export function batchSize(bytes: number): number {
  return Math.max(6, Math.min(16, 5 + 2.2 * Math.log2(Math.max(1, bytes / 64))));
}

/** Computes one frame: dots where each message is, or rates between pairs above the threshold. */
export function computeFrame(buffer: FlowBuffer, anchorOf: AnchorOf, options: FrameOptions): Frame {
  const { now, minVisibleMs } = options;
  // Requests and responses travel in lanes of their own. Looked up twice per message per frame: maps, no keys to build.
  const lanes = new Map<number, Map<string, Map<string, Route | null>>>();
  const pathOf = (from: string, to: string, lane = 1) => {
    let byFrom = lanes.get(lane);
    if (!byFrom) lanes.set(lane, (byFrom = new Map()));
    let byTo = byFrom.get(from);
    if (!byTo) byFrom.set(from, (byTo = new Map()));
    let path = byTo.get(to);
    if (path === undefined) {
      const a = anchorOf(from);
      const b = anchorOf(to);
      path = a && b && a.rect !== b.rect ? route(a, b, lane) : null;
      byTo.set(to, path);
    }
    return path;
  };
  const moving: { message: FlowMessage; t: number; alpha: number }[] = [];
  // A delivered message is on the stage for minVisibleMs at most after its send (longer hops are done once delivered).
  buffer.forEachRecent(now - minVisibleMs, (message) => {
    const progress = progressOf(message, now, minVisibleMs);
    if (progress && pathOf(message.from, message.to)) moving.push({ message, ...progress });
  });
  if (!options.reducedMotion && moving.length <= options.threshold) {
    // The newer drawn over the older.
    moving.sort((x, y) => x.message.sentAt - y.message.sentAt);
    const dots = moving.map(({ message, t, alpha }): Dot => {
      const p = routePoint(pathOf(message.from, message.to, message.kind === 'request' ? 1 : -1)!, t);
      const category = categoryOf(message);
      return {
        x: p.x, y: p.y, message, alpha, dropped: !!message.dropped,
        colour: message.error || message.dropped ? ERROR_COLOUR : CATEGORY_COLOURS[category],
        shape: message.records ? 'batch' : message.kind === 'request' ? 'dot' : 'ring',
        size: message.records ? batchSize(message.bytes) : category === 'heartbeat' || category === 'quorum' ? 4 : category === 'election' ? 7 : 5,
      };
    });
    return { mode: 'dots', dots, rates: [], inFlight: moving.length };
  }
  // Rates: the messages sent in the last window, per pair of nodes (both directions together).
  const since = now - options.rateWindowMs;
  const pairs = new Map<string, { a: string; b: string; count: number; bytes: number; byCategory: Map<FlowCategory, number> }>();
  buffer.forEachRecent(since, (message) => {
    if (message.sentAt < since || message.sentAt > now || !pathOf(message.from, message.to)) return;
    const [a, b] = message.from < message.to ? [message.from, message.to] : [message.to, message.from];
    const key = `${a}|${b}`;
    const pair = pairs.get(key) ?? { a, b, count: 0, bytes: 0, byCategory: new Map() };
    pair.count++;
    pair.bytes += message.bytes;
    const category = categoryOf(message);
    pair.byCategory.set(category, (pair.byCategory.get(category) ?? 0) + 1);
    pairs.set(key, pair);
  });
  const seconds = options.rateWindowMs / 1000;
  const rates: Rate[] = [];
  for (const pair of pairs.values()) {
    const path = pathOf(pair.a, pair.b, 0)!;
    let top: FlowCategory = 'other';
    let most = 0;
    for (const [category, count] of pair.byCategory) if (count > most) { most = count; top = category; }
    rates.push({ route: path, perSecond: pair.count / seconds, bytesPerSecond: pair.bytes / seconds, colour: CATEGORY_COLOURS[top], fromAddress: pair.a, toAddress: pair.b });
  }
  rates.sort((x, y) => y.perSecond - x.perSecond);
  return { mode: 'rates', dots: [], rates, inFlight: moving.length };
}

/** A rate's line width: grows with the logarithm of messages per second. */
export const rateWidth = (perSecond: number): number => Math.max(1, Math.min(12, 1 + 1.6 * Math.log2(1 + perSecond / 2)));
