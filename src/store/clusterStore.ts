import { createStore } from 'zustand/vanilla';
import { MetadataImage } from '../kafka/metadata/image';
import type { MetadataRecord } from '../kafka/metadata/records';
import type { ClusterEvent } from '../cluster/events';
import { clientsReach, isCut, type NetworkCut } from '../cluster/networkCut';

export interface NodeView {
  address: string; role: 'broker' | 'controller'; id: number; alive: boolean;
  since: number; state?: string; rack?: string | null;
}

export interface ReplicaView {
  node: string; topic: string; partition: number; role: 'leader' | 'follower' | 'none';
  logStartOffset: number; logEndOffset: number; highWatermark: number; leaderEpoch: number; updatedAt: number;
  /** The ISR as this replica last knew it (a leader's may run ahead of the metadata while an AlterPartition is pending). */
  isr?: number[];
  /** Leader only: each follower's log end offset as its last Fetch told the leader. */
  replicaLogEndOffsets?: Record<number, number>;
}

export interface InFlight { id: string; from: string; to: string; api: string; kind: 'request' | 'response'; sentAt: number; bytes: number; error?: string }

export interface ControllerView { id: number; address: string; active: boolean; epoch: number; logEndOffset: number; committedOffset: number }

export interface ClusterState {
  /** Bumped on every applied batch, so selectors can memoize cheaply. */
  version: number;
  nodes: Record<string, NodeView>;
  /** The active controller's metadata, replayed from its `metadata-record` events: the same image brokers build. */
  metadata: MetadataImage;
  metadataRecords: { offset: number; record: MetadataRecord; time: number }[];
  controllers: Record<string, ControllerView>;
  replicas: Record<string, ReplicaView>;
  inFlight: Record<string, InFlight>;
  /** Deliveries reported before their send: events from different workers arrive in any order. */
  deliveredEarly: Record<string, number>;
  /** The most recent events, newest last, for the event log and timeline. */
  recent: ClusterEvent[];
  committedOffsets: Record<string, Record<string, number>>;
  messagesDelivered: number;
  /** The cluster clock's speed (speed-changed events): timeouts run at this rate. */
  speed: number;
  /** The network partition the host injected (network-changed events); null: no cut. */
  network: NetworkCut | null;
}

export const RECENT_EVENTS = 500;
const IN_FLIGHT_LIMIT = 2000;
/** Longer than any request timeout: an older message was lost with its node or a cut link. */
const IN_FLIGHT_MAX_AGE_MS = 60_000;

export const initialClusterState = (): ClusterState => ({
  version: 0, nodes: {}, metadata: MetadataImage.EMPTY, metadataRecords: [], controllers: {}, replicas: {},
  inFlight: {}, deliveredEarly: {}, recent: [], committedOffsets: {}, messagesDelivered: 0, speed: 1, network: null,
});

export const replicaKey = (node: string, topic: string, partition: number): string => `${node}/${topic}-${partition}`;

const parseNode = (address: string): { role: 'broker' | 'controller'; id: number } | null => {
  const match = /^(broker|controller)-(\d+)$/.exec(address);
  return match ? { role: match[1] as 'broker' | 'controller', id: Number(match[2]) } : null;
};

/**
 * Whether the cut drops messages between two addresses: nodes by their groups, and anything
 * else (the page's clients) on the clients' side.
 */
export function crossesCut(cut: NetworkCut | null, from: string, to: string): boolean {
  if (!cut) return false;
  const a = parseNode(from);
  const b = parseNode(to);
  if (a && b) return isCut(cut, a.id, b.id);
  if (a) return !clientsReach(cut, a.id);
  if (b) return !clientsReach(cut, b.id);
  return false;
}

/** Folds a batch of events into a new state. Pure, so it is tested without a browser. */
export function applyEvents(state: ClusterState, events: readonly ClusterEvent[]): ClusterState {
  if (events.length === 0) return state;
  const next: ClusterState = {
    ...state, version: state.version + 1, nodes: { ...state.nodes }, controllers: { ...state.controllers },
    replicas: { ...state.replicas }, inFlight: { ...state.inFlight }, deliveredEarly: { ...state.deliveredEarly }, committedOffsets: { ...state.committedOffsets },
  };
  const records: { offset: number; record: MetadataRecord }[] = [];
  const newRecords: ClusterState['metadataRecords'] = [];
  const recent: ClusterEvent[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'cluster-reset':
        Object.assign(next, { ...initialClusterState(), version: next.version, speed: next.speed });
        records.length = 0;
        newRecords.length = 0;
        recent.length = 0;
        next.metadataRecords = [];
        break;
      case 'node-spawned':
      case 'node-killed': {
        const parsed = parseNode(event.node);
        if (!parsed) break;
        const alive = event.type === 'node-spawned';
        next.nodes[event.node] = { ...next.nodes[event.node], address: event.node, ...parsed, alive, since: event.time, state: alive ? 'STARTING' : 'DEAD' };
        if (!alive) {
          // What was in flight to or from a dead node will never arrive.
          for (const [id, message] of Object.entries(next.inFlight)) if (message.from === event.node || message.to === event.node) delete next.inFlight[id];
          const controller = next.controllers[event.node];
          if (controller) next.controllers[event.node] = { ...controller, active: false };
        }
        break;
      }
      case 'broker-state': {
        const node = next.nodes[event.node];
        if (node?.alive) next.nodes[event.node] = { ...node, state: event.state };
        break;
      }
      case 'controller-state':
        next.controllers[event.node] = { id: event.controllerId, address: event.node, active: event.active, epoch: event.epoch, logEndOffset: event.logEndOffset, committedOffset: event.committedOffset };
        break;
      case 'metadata-record':
        // Only the active controller's records are the log; replay is idempotent by offset.
        if (event.offset > (records.at(-1)?.offset ?? next.metadata.offset)) {
          records.push({ offset: event.offset, record: event.record });
          newRecords.push({ offset: event.offset, record: event.record, time: event.time });
        }
        break;
      case 'partition-offsets':
      case 'log-recovered': {
        const key = replicaKey(event.node, event.topic, event.partition);
        const prev = next.replicas[key];
        next.replicas[key] = {
          node: event.node, topic: event.topic, partition: event.partition,
          role: event.type === 'partition-offsets' ? event.role : prev?.role ?? 'none',
          logStartOffset: event.logStartOffset, logEndOffset: event.logEndOffset,
          highWatermark: event.type === 'partition-offsets' ? event.highWatermark : prev?.highWatermark ?? event.logStartOffset,
          leaderEpoch: event.type === 'partition-offsets' ? event.leaderEpoch : prev?.leaderEpoch ?? -1,
          updatedAt: event.time,
          isr: event.type === 'partition-offsets' ? event.isr ?? prev?.isr : prev?.isr,
          // A follower's view of other replicas' offsets would be stale: only a leader's counts.
          replicaLogEndOffsets: event.type === 'partition-offsets' && event.role === 'leader' ? event.replicaLogEndOffsets : undefined,
        };
        break;
      }
      case 'log-append':
      case 'log-truncated': {
        // Between a replica's offset reports, its appends and truncations move its log end offset.
        const key = replicaKey(event.node, event.topic, event.partition);
        const prev = next.replicas[key];
        if (!prev) break;
        const logEndOffset = event.type === 'log-append' ? Math.max(prev.logEndOffset, event.lastOffset + 1) : event.to;
        next.replicas[key] = { ...prev, logEndOffset, highWatermark: Math.min(prev.highWatermark, logEndOffset), updatedAt: event.time };
        break;
      }
      case 'speed-changed':
        next.speed = event.speed;
        break;
      case 'network-changed':
        next.network = event.cut;
        // What is on the wire across the new cut is dropped on arrival.
        for (const [id, message] of Object.entries(next.inFlight)) if (crossesCut(event.cut, message.from, message.to)) delete next.inFlight[id];
        break;
      case 'partition-deleted':
        delete next.replicas[replicaKey(event.node, event.topic, event.partition)];
        break;
      case 'message-sent':
        if (next.deliveredEarly[event.id] !== undefined) {
          delete next.deliveredEarly[event.id];
          break;
        }
        // Sent to a node that is down: refused at once, never in flight.
        if (next.nodes[event.to] && !next.nodes[event.to].alive) break;
        // Sent across the network's cut: dropped by the transport, never in flight.
        if (crossesCut(next.network, event.from, event.to)) break;
        next.inFlight[event.id] = { id: event.id, from: event.from, to: event.to, api: event.api, kind: event.kind, sentAt: event.time, bytes: event.bytes, error: event.error };
        break;
      case 'message-delivered':
        if (next.inFlight[event.id]) delete next.inFlight[event.id];
        else next.deliveredEarly[event.id] = event.time;
        next.messagesDelivered++;
        break;
      case 'offset-commit': {
        const group = { ...(next.committedOffsets[event.groupId] ?? {}) };
        group[`${event.topic}-${event.partition}`] = event.offset;
        next.committedOffsets[event.groupId] = group;
        break;
      }
      default:
        break;
    }
    if (event.type !== 'message-sent' && event.type !== 'message-delivered') recent.push(event);
  }
  if (records.length > 0) {
    next.metadata = next.metadata.apply(records);
    next.metadataRecords = [...next.metadataRecords, ...newRecords].slice(-2000);
  }
  // A message whose receiver died never reports delivery: let old ones go.
  const latest = events[events.length - 1].time;
  for (const [id, message] of Object.entries(next.inFlight)) if (latest - message.sentAt > IN_FLIGHT_MAX_AGE_MS) delete next.inFlight[id];
  const ids = Object.keys(next.inFlight);
  if (ids.length > IN_FLIGHT_LIMIT) for (const id of ids.slice(0, ids.length - IN_FLIGHT_LIMIT)) delete next.inFlight[id];
  const early = Object.keys(next.deliveredEarly);
  if (early.length > IN_FLIGHT_LIMIT) for (const id of early.slice(0, early.length - IN_FLIGHT_LIMIT)) delete next.deliveredEarly[id];
  if (recent.length > 0) next.recent = [...next.recent, ...recent].slice(-RECENT_EVENTS);
  return next;
}

export type ClusterStore = ReturnType<typeof createClusterStore>;

export function createClusterStore() {
  return createStore<ClusterState & { apply: (events: readonly ClusterEvent[]) => void }>()((set) => ({
    ...initialClusterState(),
    apply: (events) => set((state) => applyEvents(state, events)),
  }));
}

/**
 * Collects events as they arrive and applies them at most once per animation frame, so a
 * burst of thousands of messages costs one React render.
 */
export function frameBatcher(apply: (events: ClusterEvent[]) => void): (events: readonly ClusterEvent[]) => void {
  let pending: ClusterEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    apply(batch);
  };
  return (events) => {
    for (const event of events) pending.push(event);
    if (scheduled) return;
    scheduled = true;
    // Background tabs get no animation frames: fall back to a timer so state stays current.
    if (typeof document !== 'undefined' && document.visibilityState === 'visible' && typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
    else setTimeout(flush, 100);
  };
}
