/**
 * What the stage animates: messages and batches between nodes, from message-sent/-delivered
 * events (their send and delivery times), for the stage's one animation loop; and the faults
 * it draws (ISR changes, truncations, partition leader elections, rebalances) with the page's
 * clients seen on the wire.
 *
 * The messages go into a ring buffer that is mutated in place and keeps its identity across
 * batches: the canvas reads it every frame, and no React component re-renders for it. The
 * notes are small immutable records, replaced only when something they track happens.
 */
import type { ClusterEvent } from '../cluster/events';
import type { TopicPartitions } from '../kafka/events';
import { crossesCut } from './clusterStore';
import type { NetworkCut } from '../cluster/networkCut';
import type { NodeView } from './clusterStore';

/** How much later than a newer one a send may be reported (worker batches, frames): the recent scan's slack. */
const OUT_OF_ORDER_MS = 300;

/** One request or response on the wire, as the stage draws it. */
export interface FlowMessage {
  id: string;
  from: string;
  to: string;
  api: string;
  kind: 'request' | 'response';
  bytes: number;
  /** When the sender sent it (cluster clock). */
  sentAt: number;
  /** When the receiver got it; NaN while it has not (yet). */
  deliveredAt: number;
  /** A response with an error code. */
  error: boolean;
  /** It carries record batches: a Produce request, a Fetch response with records. */
  records: boolean;
  /** It never arrives: its receiver is down, or across the network's cut; when that was known. */
  dropped: 'dead' | 'cut' | null;
  droppedAt: number;
}

/** The v2 record batch header (61 bytes): a Fetch response this much larger than an empty one carries a batch. */
export const RECORD_BATCH_OVERHEAD = 61;

/**
 * The latest messages, newest overwriting oldest, with a lookup by id for deliveries (which
 * may be reported before their send: events from different workers arrive in any order).
 */
export class FlowBuffer {
  private readonly slots: (FlowMessage | undefined)[];
  private readonly byId = new Map<string, FlowMessage>();
  private readonly early = new Map<string, number>();
  /** Sent and not delivered (nor dropped): they stay on the stage however old, until evicted. */
  private readonly undelivered = new Set<FlowMessage>();
  /** The smallest size seen per sender, receiver, API and kind: an empty Fetch response's, to tell one with records. */
  private readonly smallest = new Map<string, number>();
  private nextSlot = 0;
  /** Bumped on every change, so a frame with nothing new can skip its drawing. */
  version = 0;
  /** Messages recorded since the buffer was made. */
  total = 0;

  constructor(readonly capacity = 4096) {
    this.slots = new Array<FlowMessage | undefined>(capacity);
  }

  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  get(id: string): FlowMessage | undefined {
    return this.byId.get(id);
  }

  /** Records a sent message; a delivery reported before it completes it at once. */
  send(message: Omit<FlowMessage, 'deliveredAt' | 'records' | 'dropped' | 'droppedAt'>, dropped: 'dead' | 'cut' | null): FlowMessage {
    const key = `${message.from}>${message.to}:${message.api}:${message.kind}`;
    const smallest = Math.min(this.smallest.get(key) ?? Infinity, message.bytes);
    this.smallest.set(key, smallest);
    const records = message.api === 'Produce' ? message.kind === 'request'
      : message.api === 'Fetch' && message.kind === 'response' && message.bytes >= smallest + RECORD_BATCH_OVERHEAD;
    const early = this.early.get(message.id);
    if (early !== undefined) this.early.delete(message.id);
    const flow: FlowMessage = {
      ...message, records, deliveredAt: early ?? NaN,
      dropped: early === undefined ? dropped : null, droppedAt: early === undefined && dropped ? message.sentAt : NaN,
    };
    const old = this.slots[this.nextSlot];
    if (old && this.byId.get(old.id) === old) this.byId.delete(old.id);
    if (old) this.undelivered.delete(old);
    if (Number.isNaN(flow.deliveredAt)) this.undelivered.add(flow);
    this.slots[this.nextSlot] = flow;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
    this.byId.set(flow.id, flow);
    this.total++;
    this.version++;
    return flow;
  }

  deliver(id: string, time: number): void {
    const flow = this.byId.get(id);
    if (flow) {
      flow.deliveredAt = time;
      flow.dropped = null;
      this.undelivered.delete(flow);
      this.version++;
      return;
    }
    this.early.set(id, time);
    if (this.early.size > this.capacity) this.early.delete(this.early.keys().next().value!);
  }

  /** Marks what is still on the wire and matches as dropped (its receiver died, a cut fell across it). */
  drop(matches: (flow: FlowMessage) => boolean, reason: 'dead' | 'cut', time: number): void {
    for (const flow of this.undelivered) {
      if (flow.dropped || !matches(flow)) continue;
      flow.dropped = reason;
      flow.droppedAt = time;
      this.version++;
    }
  }

  /**
   * The messages that can be on the stage: every one not yet delivered, then the delivered ones
   * sent since `since`, oldest first. Sends are kept nearly in time order (a batch from another
   * worker may come a little late), so the scan stops soon after `since` instead of reading
   * the whole buffer every frame.
   */
  forEachRecent(since: number, visit: (flow: FlowMessage) => void): void {
    // Every undelivered message is in `undelivered` (a delivery or an eviction takes it out).
    for (const flow of this.undelivered) visit(flow);
    const n = this.size;
    const newest = this.nextSlot - 1 + this.capacity;
    let count = 0;
    while (count < n && this.slots[(newest - count) % this.capacity]!.sentAt >= since - OUT_OF_ORDER_MS) count++;
    for (let i = count - 1; i >= 0; i--) {
      const flow = this.slots[(newest - i) % this.capacity]!;
      if (!Number.isNaN(flow.deliveredAt)) visit(flow);
    }
  }

  /** Every message kept, oldest first. */
  forEach(visit: (flow: FlowMessage) => void): void {
    const n = this.size;
    const start = (this.nextSlot - n + this.capacity) % this.capacity;
    for (let i = 0; i < n; i++) visit(this.slots[(start + i) % this.capacity]!);
  }
}

/** A committed ISR change: who left or joined, and why (the leader's reason). */
export interface IsrNote { time: number; topic: string; partition: number; leaderEpoch: number; from: number[]; to: number[]; left: number[]; joined: number[]; reason: string; leader: string }
/** A replica cut the end of its log: offsets [to, from) are gone. */
export interface TruncationNote { time: number; node: string; topic: string; partition: number; from: number; to: number; reason: string }
/** A partition leader election by the controller. */
export interface ElectionNote { time: number; topic: string; partition: number; previousLeader: number; leader: number; leaderEpoch: number; isr: number[]; kind: string; reason: string }
/** A consumer's side of its latest rebalance: what it gave up and what it got. */
export interface MemberRebalance {
  groupId: string; generationId: number; protocol: string;
  revoked: TopicPartitions[]; revokedAt: number;
  assigned: TopicPartitions[]; assignedAt: number;
  /** What it held before the assignment (to show what is new). */
  previous: TopicPartitions[];
}
/** A page client or producer application seen on the wire. */
export interface SeenClient { address: string; firstSeen: number; lastSeen: number; produced: boolean; lastProduced: number }

export interface StageNotes {
  isr: IsrNote[];
  truncations: TruncationNote[];
  elections: ElectionNote[];
  /** By consumer address. */
  rebalances: Record<string, MemberRebalance>;
  /** Clients that are not brokers or controllers ('client-N' on the page, 'producer-N', 'consumer-N'), by address. */
  clients: Record<string, SeenClient>;
}

export interface FlowsState {
  /** Mutated in place: read it in an animation frame, never through React state. */
  flows: FlowBuffer;
  stageNotes: StageNotes;
}

/** Notes kept per kind: enough for the faults of the last minutes. */
export const MAX_NOTES = 40;
/** A client's last-seen time is moved on only this much later, so steady traffic does not replace the notes every batch. */
const SEEN_RESOLUTION_MS = 1000;

export const initialFlowsState = (): FlowsState => ({
  flows: new FlowBuffer(),
  stageNotes: { isr: [], truncations: [], elections: [], rebalances: {}, clients: {} },
});

const isNode = (address: string): boolean => /^(broker|controller)-\d+$/.test(address);
const keep = <T>(list: T[], item: T): T[] => (list.length >= MAX_NOTES ? [...list.slice(1 - MAX_NOTES), item] : [...list, item]);

type FlowsInput = FlowsState & { nodes?: Record<string, NodeView>; network?: NetworkCut | null };

/**
 * A fold over each applied batch: returns only this module's fields (the store merges them
 * in). `previous` is the whole state before the batch: its nodes and network cut tell which
 * messages will never arrive.
 */
export function applyFlowEvents(previous: FlowsInput, events: readonly ClusterEvent[]): FlowsState {
  let flows = previous.flows;
  let notes = previous.stageNotes;
  const writable = (): StageNotes => {
    if (notes === previous.stageNotes) notes = { ...notes, rebalances: { ...notes.rebalances }, clients: { ...notes.clients } };
    return notes;
  };
  // Who is down and where the cut lies, as the batch goes on.
  const down = new Set<string>();
  for (const node of Object.values(previous.nodes ?? {})) if (!node.alive) down.add(node.address);
  let cut = previous.network ?? null;
  const seen = (address: string, time: number, produced: boolean): void => {
    if (isNode(address)) return;
    const was = notes.clients[address];
    if (was && time - was.lastSeen < SEEN_RESOLUTION_MS && (!produced || time - was.lastProduced < SEEN_RESOLUTION_MS)) return;
    writable().clients[address] = {
      address, firstSeen: was?.firstSeen ?? time, lastSeen: Math.max(was?.lastSeen ?? time, time),
      produced: produced || (was?.produced ?? false), lastProduced: produced ? time : was?.lastProduced ?? -Infinity,
    };
  };
  for (const event of events) {
    switch (event.type) {
      case 'cluster-reset':
        flows = new FlowBuffer(flows.capacity);
        notes = { isr: [], truncations: [], elections: [], rebalances: {}, clients: {} };
        down.clear();
        cut = null;
        break;
      case 'node-spawned':
        down.delete(event.node);
        break;
      case 'node-killed':
      case 'client-killed':
      case 'client-stopped': {
        const address = event.type === 'node-killed' ? event.node : event.client;
        down.add(address);
        flows.drop((f) => f.to === address, 'dead', event.time);
        break;
      }
      case 'client-started':
        down.delete(event.client);
        break;
      case 'network-changed':
        cut = event.cut;
        flows.drop((f) => crossesCut(cut, f.from, f.to), 'cut', event.time);
        break;
      case 'message-sent': {
        const dropped = down.has(event.to) ? 'dead' : crossesCut(cut, event.from, event.to) ? 'cut' : null;
        flows.send({ id: event.id, from: event.from, to: event.to, api: event.api, kind: event.kind, bytes: event.bytes, sentAt: event.time, error: !!event.error }, dropped);
        seen(event.from, event.time, event.api === 'Produce' && event.kind === 'request');
        break;
      }
      case 'message-delivered':
        flows.deliver(event.id, event.time);
        break;
      case 'isr-change': {
        if (event.phase !== 'committed') break;
        const left = event.from.filter((id) => !event.to.includes(id));
        const joined = event.to.filter((id) => !event.from.includes(id));
        writable().isr = keep(notes.isr, {
          time: event.time, topic: event.topic, partition: event.partition, leaderEpoch: event.leaderEpoch,
          from: event.from, to: event.to, left, joined, reason: event.reason, leader: event.node,
        });
        break;
      }
      case 'log-truncated':
        // A truncation to where the log already ends cuts nothing worth drawing.
        if (event.from <= event.to) break;
        writable().truncations = keep(notes.truncations, { time: event.time, node: event.node, topic: event.topic, partition: event.partition, from: event.from, to: event.to, reason: event.reason });
        break;
      case 'leader-election':
        writable().elections = keep(notes.elections, {
          time: event.time, topic: event.topic, partition: event.partition, previousLeader: event.previousLeader,
          leader: event.leader, leaderEpoch: event.leaderEpoch, isr: event.isr, kind: event.kind, reason: event.reason,
        });
        break;
      case 'consumer-rebalance': {
        if (event.phase === 'join') break;
        const was = notes.rebalances[event.node];
        const base: MemberRebalance = was && was.groupId === event.groupId ? was : {
          groupId: event.groupId, generationId: event.generationId, protocol: event.protocol,
          revoked: [], revokedAt: -Infinity, assigned: [], assignedAt: -Infinity, previous: [],
        };
        writable().rebalances[event.node] = event.phase === 'revoke'
          ? { ...base, generationId: event.generationId, protocol: event.protocol, revoked: event.partitions, revokedAt: event.time }
          : { ...base, generationId: event.generationId, protocol: event.protocol, previous: base.assigned, assigned: event.partitions, assignedAt: event.time };
        break;
      }
      default:
        break;
    }
  }
  return { flows, stageNotes: notes };
}
