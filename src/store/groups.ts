/**
 * Consumer groups as the store sees them: each group coordinator's reports (group-state), the
 * committed offsets (offset-commit), the consumer applications (client-* events) and the steps
 * of each rebalance (consumer-rebalance and the coordinator's state changes). Pure folds over
 * events, called by applyEvents, so they are tested without a browser.
 */
import type { ClusterEvent } from '../cluster/events';
import type { TopicPartitions } from '../kafka/events';

export type GroupStateEvent = Extract<ClusterEvent, { type: 'group-state' }>;
export type GroupStateName = GroupStateEvent['state'];
type RebalanceEvent = Extract<ClusterEvent, { type: 'consumer-rebalance' }>;

/**
 * One step of a rebalance, for the step strip. Group steps come from the coordinator
 * (prepare: PreparingRebalance; sync: CompletingRebalance, the leader's assignment awaited in
 * SyncGroup; stable; empty; dead: deleted), member steps from a consumer (join, revoke, assign).
 * Coordinator moves are steps of their own, outside any rebalance: unload (a broker stopped
 * coordinating it) and load (another loaded it from __consumer_offsets).
 */
export type RebalanceStepKind = 'prepare' | 'join' | 'sync' | 'revoke' | 'assign' | 'stable' | 'empty' | 'dead' | 'unload' | 'load';

/** Steps of a coordinator move, not of a rebalance. */
export const isCoordinatorStep = (kind: RebalanceStepKind): boolean => kind === 'unload' || kind === 'load';

export interface RebalanceStep {
  /** Unique within its group: a key that lets the UI animate each new step once. */
  seq: number;
  /** A rebalance round: steps from a join or PreparingRebalance up to the assignments that follow the sync. */
  round: number;
  time: number;
  kind: RebalanceStepKind;
  generationId: number;
  /** The consumer's address for member steps, the coordinator's for group steps. */
  node: string;
  memberId: string | null;
  partitions: TopicPartitions[];
  /** The coordinator's reason, or the member's protocol. */
  detail: string;
  /** For a load: the broker that coordinated the group before. */
  from?: string;
}

export interface GroupView {
  groupId: string;
  /**
   * Each coordinator's latest report, by broker address. A report from a new coordinator
   * supersedes older ones from other brokers; a newer Dead (unloaded: the coordinator moved)
   * is kept beside it, so it cannot wipe the group another broker now coordinates.
   */
  reports: Record<string, GroupStateEvent>;
  /** When DeleteGroups (or expiry) removed it; a newer report brings it back. */
  deletedAt: number | null;
  steps: RebalanceStep[];
  nextSeq: number;
  round: number;
  /** When the current round reached CompletingRebalance (null: not yet): a join or revoke after it opens the next round. */
  syncedAt: number | null;
}

export interface CommittedOffset { offset: number; time: number; node: string }
/** groupId -> topic -> partition -> the offset last committed. */
export type CommittedOffsets = Record<string, Record<string, Record<number, CommittedOffset>>>;

export type ClientStatus = 'running' | 'stopped' | 'killed';

/** A client application in its own Web Worker (cluster.startConsumer, cluster.startProducer). */
export interface ClientApp {
  id: string; kind: 'consumer' | 'producer';
  /** A consumer's group; null for a producer. */
  groupId: string | null;
  topics: string[]; config: Record<string, unknown>;
  status: ClientStatus; startedAt: number;
  /** When it was stopped or killed; null while it runs. */
  endedAt: number | null;
  /** A consumer's records its eachMessage handler finished. */
  processed: number;
  /** A producer's records acknowledged (with acks=0: sent), and records whose send failed (producer-sent). */
  acknowledged: number;
  failed: number;
  /** The member id it last reported in a rebalance step (JoinGroup gives it). */
  memberId: string | null;
}

export interface GroupsState {
  groups: Record<string, GroupView>;
  committed: CommittedOffsets;
  clients: Record<string, ClientApp>;
}

/** Steps kept per group: enough for the last few rebalances of a handful of members. */
export const MAX_STEPS = 60;
/** Groups kept: deleted ones, then the longest quiet, go first. */
export const MAX_GROUPS = 200;
/** Stopped or killed applications kept for the list; running ones always stay. */
export const MAX_ENDED_CLIENTS = 50;

export const initialGroupsState = (): GroupsState => ({ groups: {}, committed: {}, clients: {} });

/** A Dead report that means the group is gone (DeleteGroups, expiry), not that its coordinator moved. */
export const isDeletion = (report: GroupStateEvent): boolean => report.state === 'Dead' && report.cause === 'deleted';

/**
 * The report that describes the group now: the newest that is not Dead, unless the newest of
 * all is a deletion; when every report is Dead (unloaded, nobody has loaded it yet) the newest.
 */
export function currentReport(group: GroupView): GroupStateEvent | null {
  let newest: GroupStateEvent | null = null;
  let newestLive: GroupStateEvent | null = null;
  for (const report of Object.values(group.reports)) {
    if (!newest || report.time >= newest.time) newest = report;
    if (report.state !== 'Dead' && (!newestLive || report.time >= newestLive.time)) newestLive = report;
  }
  if (newest && isDeletion(newest)) return newest;
  return newestLive ?? newest;
}

const emptyGroup = (groupId: string): GroupView => ({ groupId, reports: {}, deletedAt: null, steps: [], nextSeq: 0, round: 0, syncedAt: -Infinity });

const GROUP_STEP: Record<GroupStateName, RebalanceStepKind> = {
  PreparingRebalance: 'prepare', CompletingRebalance: 'sync', Stable: 'stable', Empty: 'empty', Dead: 'dead',
};

function addStep(group: GroupView, step: Omit<RebalanceStep, 'seq' | 'round'>): GroupView {
  // A coordinator move is no step of a rebalance: it is kept in the current round and changes nothing.
  if (isCoordinatorStep(step.kind)) {
    const steps = [...group.steps, { ...step, seq: group.nextSeq, round: group.round }];
    return { ...group, nextSeq: group.nextSeq + 1, steps: steps.length > MAX_STEPS ? steps.slice(-MAX_STEPS) : steps };
  }
  let { round, syncedAt } = group;
  // A join, a revoke (cooperative: the moved partitions, which triggers the follow-up rebalance)
  // or a PreparingRebalance after the last round's sync starts a new round; the assignments that
  // follow a sync belong to it. By time, not arrival: workers' events arrive interleaved.
  if ((step.kind === 'join' || step.kind === 'revoke' || step.kind === 'prepare') && syncedAt !== null && step.time >= syncedAt) {
    round++;
    syncedAt = null;
  }
  if ((step.kind === 'sync' || step.kind === 'stable' || step.kind === 'empty' || step.kind === 'dead') && syncedAt === null) syncedAt = step.time;
  const steps = [...group.steps, { ...step, seq: group.nextSeq, round }];
  return { ...group, round, syncedAt, nextSeq: group.nextSeq + 1, steps: steps.length > MAX_STEPS ? steps.slice(-MAX_STEPS) : steps };
}

function applyGroupState(state: GroupsState, event: GroupStateEvent): void {
  let group = state.groups[event.groupId] ?? emptyGroup(event.groupId);
  const before = currentReport(group);
  const reports: Record<string, GroupStateEvent> = {};
  for (const [node, report] of Object.entries(group.reports)) {
    // A live report from this coordinator supersedes older ones from the brokers that had the group before.
    if (node !== event.node && event.state !== 'Dead' && report.time <= event.time) continue;
    reports[node] = report;
  }
  const previous = reports[event.node];
  // Reports from one coordinator arrive in order; an older one from a second stream is stale.
  if (previous && previous.time > event.time) return;
  reports[event.node] = event;
  group = { ...group, reports };
  if (isDeletion(event)) {
    group.deletedAt = event.time;
    // DeleteGroups deletes the group's committed offsets with it.
    delete state.committed[event.groupId];
  } else if (event.state !== 'Dead') group.deletedAt = null;
  const after = currentReport(group);
  const step = { time: event.time, generationId: event.generationId, node: event.node, memberId: null, partitions: [], detail: event.reason };
  if (event.state === 'Dead' && !isDeletion(event)) {
    group = addStep(group, { ...step, kind: 'unload' });
  } else if (after === event && before && before.node !== event.node && before.state !== 'Dead') {
    // Another broker took the group over, as it was in the log.
    group = addStep(group, { ...step, kind: 'load', from: before.node });
  } else if (after === event && (!before || before.state !== event.state || before.generationId !== event.generationId || before.node !== event.node)) {
    // A step when the group's state or generation changes (or after an unload, the state it was loaded in).
    const loaded = before?.state === 'Dead' && !isDeletion(before) && event.state !== 'PreparingRebalance';
    group = addStep(group, loaded ? { ...step, kind: 'load', from: before.node } : { ...step, kind: GROUP_STEP[event.state] });
  }
  state.groups[event.groupId] = group;
}

function applyRebalance(state: GroupsState, event: RebalanceEvent): void {
  const group = state.groups[event.groupId] ?? emptyGroup(event.groupId);
  state.groups[event.groupId] = addStep(group, {
    time: event.time, kind: event.phase, generationId: event.generationId, node: event.node, memberId: event.memberId,
    partitions: event.partitions, detail: event.protocol,
  });
  const app = state.clients[event.node];
  if (app && event.memberId && app.memberId !== event.memberId) state.clients[event.node] = { ...app, memberId: event.memberId };
}

function prune(state: GroupsState): void {
  const ended = Object.values(state.clients).filter((c) => c.status !== 'running');
  if (ended.length > MAX_ENDED_CLIENTS) {
    for (const c of ended.sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0)).slice(0, ended.length - MAX_ENDED_CLIENTS)) delete state.clients[c.id];
  }
  const groups = Object.values(state.groups);
  if (groups.length > MAX_GROUPS) {
    const lastSeen = (g: GroupView) => Math.max(0, ...Object.values(g.reports).map((r) => r.time), ...g.steps.map((s) => s.time));
    const order = groups.sort((a, b) => Number(b.deletedAt !== null) - Number(a.deletedAt !== null) || lastSeen(a) - lastSeen(b));
    for (const g of order.slice(0, groups.length - MAX_GROUPS)) {
      delete state.groups[g.groupId];
      delete state.committed[g.groupId];
    }
  }
}

/**
 * Folds the group events of a batch into a copy of `state` (the input is not changed).
 * Other events are ignored.
 */
export function applyGroupEvents(previous: GroupsState, events: readonly ClusterEvent[]): GroupsState {
  let state: GroupsState | null = null;
  const writable = (): GroupsState => (state ??= { groups: { ...previous.groups }, committed: { ...previous.committed }, clients: { ...previous.clients } });
  for (const event of events) {
    switch (event.type) {
      case 'cluster-reset':
        state = initialGroupsState();
        break;
      case 'group-state':
        applyGroupState(writable(), event);
        break;
      case 'consumer-rebalance':
        applyRebalance(writable(), event);
        break;
      case 'offset-commit': {
        const s = writable();
        const group = { ...(s.committed[event.groupId] ?? {}) };
        const topic = { ...(group[event.topic] ?? {}) };
        const prev = topic[event.partition];
        // The latest commit wins, backwards too (resetOffsets); a late report from an older coordinator does not.
        if (prev && prev.time > event.time) break;
        topic[event.partition] = { offset: event.offset, time: event.time, node: event.node };
        group[event.topic] = topic;
        s.committed[event.groupId] = group;
        break;
      }
      case 'client-started': {
        const s = writable();
        s.clients[event.client] = {
          id: event.client, kind: event.kind, groupId: event.kind === 'consumer' ? event.groupId : null, topics: event.topics, config: event.config,
          status: 'running', startedAt: event.time, endedAt: null, processed: 0, acknowledged: 0, failed: 0, memberId: null,
        };
        break;
      }
      case 'producer-sent': {
        const s = writable();
        const app = s.clients[event.node];
        if (app) s.clients[event.node] = { ...app, acknowledged: app.acknowledged + event.acknowledged, failed: app.failed + Object.values(event.errors).reduce((a, b) => a + b, 0) };
        break;
      }
      case 'client-stopped':
      case 'client-killed': {
        const s = writable();
        const app = s.clients[event.client];
        if (app) s.clients[event.client] = { ...app, status: event.type === 'client-killed' ? 'killed' : 'stopped', endedAt: event.time };
        break;
      }
      case 'consumer-processed': {
        const s = writable();
        const app = s.clients[event.node];
        if (app) s.clients[event.node] = { ...app, processed: app.processed + event.count };
        break;
      }
      default:
        break;
    }
  }
  if (!state) return previous;
  prune(state);
  return state;
}

/** A group's latest rebalance round, as the groups panel shows it. */
export interface RebalanceRound {
  /** Its member and coordinator steps, in time order (events from different workers arrive interleaved). */
  steps: RebalanceStep[];
  start: number; end: number;
  /** The group is Stable again in this round. */
  settled: boolean;
  /** How long the round before it took; null when there was none. */
  previousMs: number | null;
}

/** The latest rebalance round among a group's steps (the coordinator moves aside); null before any. */
export function latestRebalance(all: readonly RebalanceStep[], state: string): RebalanceRound | null {
  const steps = all.filter((s) => !isCoordinatorStep(s.kind));
  if (steps.length === 0) return null;
  const round = steps[steps.length - 1].round;
  const current = steps.filter((s) => s.round === round).sort((a, b) => a.time - b.time || a.seq - b.seq);
  const previous = steps.filter((s) => s.round === round - 1).map((s) => s.time);
  return {
    steps: current, start: current[0].time, end: current[current.length - 1].time,
    settled: state === 'Stable' && current.some((s) => s.kind === 'stable'),
    previousMs: previous.length > 0 ? Math.max(...previous) - Math.min(...previous) : null,
  };
}
