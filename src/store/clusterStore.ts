import { createStore } from 'zustand/vanilla';
import { MetadataImage } from '../kafka/metadata/image';
import type { MetadataRecord } from '../kafka/metadata/records';
import type { ClusterEvent } from '../cluster/events';
import { clientsReach, isCut, type NetworkCut } from '../cluster/networkCut';
import { applyGroupEvents, initialGroupsState, type GroupsState } from './groups';
import { applyFlowEvents, initialFlowsState, type FlowsState } from './flows';
import { applyMetricEvents, initialMetricsState, type MetricsState } from './metrics';

export interface NodeView {
  address: string; role: 'broker' | 'controller'; id: number; alive: boolean;
  since: number; state?: string; rack?: string | null;
}

export interface ReplicaView {
  node: string; topic: string; partition: number; role: 'leader' | 'follower' | 'none';
  logStartOffset: number; logEndOffset: number; highWatermark: number; leaderEpoch: number; updatedAt: number;
  /** When its log end offset last grew (cluster time): the stage flashes the newest record. */
  appendedAt?: number;
  /** The ISR as this replica last knew it (a leader's may run ahead of the metadata while an AlterPartition is pending). */
  isr?: number[];
  /** Leader only: each follower's log end offset as its last Fetch told the leader. */
  replicaLogEndOffsets?: Record<number, number>;
}

export interface InFlight { id: string; from: string; to: string; api: string; kind: 'request' | 'response'; sentAt: number; bytes: number; error?: string }

export type QuorumState = Extract<ClusterEvent, { type: 'quorum-state' }>['state'];

/** A controller as its quorum-state and controller-state events last described it. */
export interface ControllerView {
  id: number; address: string;
  /** Its KRaft state (KIP-595); null until a newly started worker reports. */
  state: QuorumState | null;
  /** When it entered `state` (cluster time). */
  stateSince: number;
  /** Why it is in that state, as it said. */
  reason: string;
  epoch: number;
  /** The candidate it voted for in `epoch` (its own id when it stood), null when none. */
  votedFor: number | null;
  /** The quorum leader it knows in `epoch`, null when none. */
  leaderId: number | null;
  /** Offset of the next record of its __cluster_metadata log. */
  logEndOffset: number;
  /** The last offset it knows committed (high watermark - 1); -1 when none. */
  committedOffset: number;
  /** The active controller: the Raft leader once its epoch's first record committed. */
  active: boolean;
  /** A follower's last Fetch to a leader: whom and when. */
  lastFetch: { to: number; time: number } | null;
}

/** The quorum APIs the event log shows; Fetch is constant and only marks who follows whom. */
export const ELECTION_APIS: ReadonlySet<string> = new Set(['Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'FetchSnapshot']);

/**
 * A request or response between controllers, as the event log shows it. A Vote request is a
 * pre-vote (KIP-996) when its sender was Prospective, a real one when it was a Candidate: the
 * store knows from the sender's last quorum-state, reported before it sent.
 */
export interface QuorumMessage {
  type: 'quorum-message'; time: number; node: string; id: string; from: string; to: string; api: string; kind: 'request' | 'response';
  /** The sender's epoch and state when it sent. */
  epoch: number; senderState: QuorumState | null;
  vote?: 'pre-vote' | 'vote';
  /** Never arrives: the receiver is down, or across the network's cut. */
  dropped?: 'dead' | 'cut';
  error?: string;
  /** The same message sent again (a leader re-announcing itself to a voter that is down): how often, since when. */
  repeats?: { count: number; since: number };
}

/** Messages that are the same but for their time: a retry loop's, logged once with a count. */
const sameMessage = (a: QuorumMessage, b: QuorumMessage): boolean =>
  a.from === b.from && a.to === b.to && a.api === b.api && a.kind === b.kind && a.epoch === b.epoch && a.vote === b.vote && a.dropped === b.dropped && a.error === b.error;
const sameQuorumState = (a: Extract<ClusterEvent, { type: 'quorum-state' }>, b: Extract<ClusterEvent, { type: 'quorum-state' }>): boolean =>
  a.node === b.node && a.state === b.state && a.epoch === b.epoch && a.votedId === b.votedId && a.leaderId === b.leaderId && a.reason === b.reason;
/** How far back a repeat is looked for: retries come every second or two, among other events. */
const REPEAT_WINDOW = 60;

/** What the event log lists: the cluster's events and the store's quorum messages. */
export type LoggedEvent = ClusterEvent | QuorumMessage;

/** Each metadata snapshot (KIP-630) a controller wrote, from its log event. */
export interface SnapshotNote { offset: number; node: string; time: number; message: string }
const SNAPSHOT_MESSAGE = /^wrote a metadata snapshot at offset (\d+)/;

export interface ClusterState extends GroupsState, FlowsState, MetricsState {
  /** Bumped on every applied batch, so selectors can memoize cheaply. */
  version: number;
  nodes: Record<string, NodeView>;
  /** The active controller's metadata, replayed from its `metadata-record` events: the same image brokers build. */
  metadata: MetadataImage;
  /** The records as the active controller (`node`) reported them on commit. */
  metadataRecords: { offset: number; record: MetadataRecord; time: number; node: string }[];
  /** Metadata snapshots the controllers wrote, oldest first. */
  metadataSnapshots: SnapshotNote[];
  controllers: Record<string, ControllerView>;
  replicas: Record<string, ReplicaView>;
  inFlight: Record<string, InFlight>;
  /** Deliveries reported before their send: events from different workers arrive in any order. */
  deliveredEarly: Record<string, number>;
  /** The most recent events, newest last, for the event log and timeline. */
  recent: LoggedEvent[];
  messagesDelivered: number;
  /** The cluster clock's speed (speed-changed events): timeouts run at this rate. */
  speed: number;
  /** The network partition the host injected (network-changed events); null: no cut. */
  network: NetworkCut | null;
}

export const RECENT_EVENTS = 500;

/** Routine traffic: evicted first, so a failover's steps outlive a busy producer's appends. */
export const ROUTINE_EVENTS: ReadonlySet<string> = new Set(['log-append', 'partition-offsets', 'metadata-applied', 'consumer-processed', 'offset-commit']);

/** The newest RECENT_EVENTS events, dropping the oldest routine ones before anything else. */
function trimRecent(list: LoggedEvent[]): LoggedEvent[] {
  const excess = list.length - RECENT_EVENTS;
  if (excess <= 0) return list;
  let dropped = 0;
  const kept = list.filter((event) => !(dropped < excess && ROUTINE_EVENTS.has(event.type) && ++dropped));
  return kept.length > RECENT_EVENTS ? kept.slice(-RECENT_EVENTS) : kept;
}
const IN_FLIGHT_LIMIT = 2000;
/** Longer than any request timeout: an older message was lost with its node or a cut link. */
const IN_FLIGHT_MAX_AGE_MS = 60_000;

export const initialClusterState = (): ClusterState => ({
  version: 0, nodes: {}, metadata: MetadataImage.EMPTY, metadataRecords: [], metadataSnapshots: [], controllers: {}, replicas: {},
  inFlight: {}, deliveredEarly: {}, recent: [], messagesDelivered: 0, speed: 1, network: null, ...initialGroupsState(),
  ...initialFlowsState(), ...initialMetricsState(),
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

const newController = (id: number, address: string, time: number): ControllerView => ({
  id, address, state: null, stateSince: time, reason: '', epoch: 0, votedFor: null, leaderId: null,
  logEndOffset: 0, committedOffset: -1, active: false, lastFetch: null,
});

/**
 * For a message between two controllers: notes a follower's Fetch on its view, and returns the
 * event log's entry for an election message (Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot).
 */
function quorumMessage(next: ClusterState, event: Extract<ClusterEvent, { type: 'message-sent' }>): QuorumMessage | null {
  const from = parseNode(event.from);
  const to = parseNode(event.to);
  if (from?.role !== 'controller' || to?.role !== 'controller') return null;
  const sender = next.controllers[event.from];
  if (event.api === 'Fetch') {
    if (event.kind === 'request' && sender) next.controllers[event.from] = { ...sender, lastFetch: { to: to.id, time: event.time } };
    return null;
  }
  if (!ELECTION_APIS.has(event.api)) return null;
  const dropped = next.nodes[event.to] && !next.nodes[event.to].alive ? 'dead' : crossesCut(next.network, event.from, event.to) ? 'cut' : undefined;
  const message: QuorumMessage = {
    type: 'quorum-message', time: event.time, node: event.from, id: event.id, from: event.from, to: event.to, api: event.api, kind: event.kind,
    epoch: sender?.epoch ?? 0, senderState: sender?.state ?? null,
  };
  if (event.api === 'Vote' && event.kind === 'request') message.vote = sender?.state === 'Candidate' ? 'vote' : 'pre-vote';
  if (dropped) message.dropped = dropped;
  if (event.error) message.error = event.error;
  return message;
}

/** Folds a batch of events into a new state. Pure, so it is tested without a browser. */
export function applyEvents(state: ClusterState, events: readonly ClusterEvent[]): ClusterState {
  if (events.length === 0) return state;
  const next: ClusterState = {
    ...state, version: state.version + 1, nodes: { ...state.nodes }, controllers: { ...state.controllers },
    replicas: { ...state.replicas }, inFlight: { ...state.inFlight }, deliveredEarly: { ...state.deliveredEarly },
  };
  const records: { offset: number; record: MetadataRecord }[] = [];
  const newRecords: ClusterState['metadataRecords'] = [];
  const recent: LoggedEvent[] = [];
  let earlier = state.recent;
  /**
   * Logs an election message or a quorum state; one that repeats an entry still near the end of
   * the log (a retry: a pre-vote round with no majority, a BeginQuorumEpoch to a dead voter)
   * replaces it, counted, so retries do not push the rest of the log away.
   */
  const logRepeatable = (event: QuorumMessage | Extract<ClusterEvent, { type: 'quorum-state' }>): void => {
    const same = (e: LoggedEvent): boolean => (event.type === 'quorum-message' ? e.type === 'quorum-message' && sameMessage(e, event) : e.type === 'quorum-state' && sameQuorumState(e, event));
    let previous: LoggedEvent | undefined;
    const inBatch = recent.findLastIndex(same);
    if (inBatch >= 0) previous = recent.splice(inBatch, 1)[0];
    else {
      const from = Math.max(0, earlier.length - REPEAT_WINDOW);
      for (let i = earlier.length - 1; i >= from; i--) {
        if (!same(earlier[i])) continue;
        previous = earlier[i];
        earlier = [...earlier.slice(0, i), ...earlier.slice(i + 1)];
        break;
      }
    }
    if (event.type === 'quorum-message' && previous?.type === 'quorum-message') {
      recent.push({ ...event, repeats: { count: (previous.repeats?.count ?? 1) + 1, since: previous.repeats?.since ?? previous.time } });
    } else recent.push(event);
  };
  for (const event of events) {
    switch (event.type) {
      case 'cluster-reset':
        Object.assign(next, { ...initialClusterState(), version: next.version, speed: next.speed });
        records.length = 0;
        newRecords.length = 0;
        recent.length = 0;
        earlier = [];
        next.metadataRecords = [];
        next.metadataSnapshots = [];
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
        }
        // A (re)started controller has no state until it reports; a dead one is not active.
        const controller = next.controllers[event.node];
        if (controller) next.controllers[event.node] = { ...controller, active: false, state: alive ? null : controller.state, stateSince: event.time, lastFetch: null };
        break;
      }
      case 'broker-state': {
        const node = next.nodes[event.node];
        if (node?.alive) next.nodes[event.node] = { ...node, state: event.state };
        break;
      }
      case 'controller-state': {
        const prev = next.controllers[event.node] ?? newController(event.controllerId, event.node, event.time);
        next.controllers[event.node] = {
          ...prev, active: event.active, epoch: Math.max(prev.epoch, event.epoch),
          logEndOffset: event.logEndOffset, committedOffset: event.committedOffset,
        };
        // Reported on every commit: the log keeps only the moments it becomes or stops being active.
        if (event.active === prev.active) continue;
        break;
      }
      case 'quorum-state': {
        const prev = next.controllers[event.node] ?? newController(event.controllerId, event.node, event.time);
        next.controllers[event.node] = {
          ...prev, state: event.state, stateSince: prev.state === event.state && prev.epoch === event.epoch ? prev.stateSince : event.time,
          reason: event.reason, epoch: event.epoch, votedFor: event.votedId, leaderId: event.leaderId,
          logEndOffset: event.logEndOffset, committedOffset: event.highWatermark - 1,
          lastFetch: event.state === 'Follower' ? prev.lastFetch : null,
        };
        logRepeatable(event);
        continue;
      }
      case 'log': {
        const match = SNAPSHOT_MESSAGE.exec(event.message);
        if (match) next.metadataSnapshots = [...next.metadataSnapshots, { offset: Number(match[1]), node: event.node, time: event.time, message: event.message }].slice(-100);
        break;
      }
      case 'metadata-snapshot':
        // The active controller's image as of a snapshot: newer than what this page has replayed.
        if (event.endOffset - 1 > (records.at(-1)?.offset ?? next.metadata.offset)) {
          next.metadata = MetadataImage.fromSnapshot(event.records, event.endOffset - 1);
          records.length = 0;
        }
        break;
      case 'metadata-record':
        // Only the active controller's records are the log; replay is idempotent by offset.
        if (event.offset > (records.at(-1)?.offset ?? next.metadata.offset)) {
          records.push({ offset: event.offset, record: event.record });
          newRecords.push({ offset: event.offset, record: event.record, time: event.time, node: event.node });
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
          appendedAt: prev && event.logEndOffset > prev.logEndOffset ? event.time : prev?.appendedAt,
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
        next.replicas[key] = {
          ...prev, logEndOffset, highWatermark: Math.min(prev.highWatermark, logEndOffset), updatedAt: event.time,
          appendedAt: logEndOffset > prev.logEndOffset ? event.time : prev.appendedAt,
        };
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
      case 'message-sent': {
        const quorum = quorumMessage(next, event);
        if (quorum) logRepeatable(quorum);
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
      }
      case 'message-delivered':
        if (next.inFlight[event.id]) delete next.inFlight[event.id];
        else next.deliveredEarly[event.id] = event.time;
        next.messagesDelivered++;
        break;
      default:
        break;
    }
    if (event.type !== 'message-sent' && event.type !== 'message-delivered') recent.push(event);
  }
  // Groups, committed offsets and consumer applications: a fold of their own (groups.ts), reset included.
  const { groups, committed, clients } = applyGroupEvents(state, events);
  Object.assign(next, { groups, committed, clients });
  // The stage's flows and the metrics are folds of their own too (flows.ts, metrics.ts).
  Object.assign(next, applyFlowEvents(state, events), applyMetricEvents(state, events));
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
  if (recent.length > 0 || earlier !== state.recent) next.recent = trimRecent([...earlier, ...recent]);
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
