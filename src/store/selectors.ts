import type { ClusterState, ControllerView, LoggedEvent, QuorumState, ReplicaView } from './clusterStore';
import { replicaKey } from './clusterStore';
import { TOPIC_CONFIG_DEFAULTS, brokerAddress } from '../kafka/config';
import { formatCut, type NetworkCut } from '../cluster/networkCut';
import { CONSUMER_OFFSETS_TOPIC } from '../kafka/protocol/messages';
import { partitionForGroup } from '../kafka/group/groupCoordinator';
import type { TopicPartitions } from '../kafka/events';
import { currentReport, isDeletion, type ClientStatus, type GroupStateName } from './groups';

/**
 * A partition's health as kafka-topics.sh --describe would filter it: offline (no leader),
 * under-min-isr (acks=all writes fail with NOT_ENOUGH_REPLICAS), under-replicated (some
 * replica is out of the ISR), or online.
 */
export type PartitionState = 'online' | 'under-replicated' | 'under-min-isr' | 'offline';

/** One replica of a partition: where it lives and how far its log goes. */
export interface ReplicaDescription {
  broker: number;
  /** The broker's broker.rack, from its registration. */
  rack: string | null;
  /** The broker's worker runs. */
  alive: boolean;
  /** The controller fenced the broker: it may not lead or be in an ISR. */
  fenced: boolean;
  leader: boolean;
  /** In the ISR of the metadata (the controller's). */
  inIsr: boolean;
  /** The role this replica last reported; 'none' when it never reported. */
  role: 'leader' | 'follower' | 'none';
  /** As the replica itself last reported them (a dead broker's last report); -1: never reported. */
  logStartOffset: number;
  logEndOffset: number;
  /** The high watermark this replica knows (a follower learns it from the leader's Fetch responses). */
  highWatermark: number;
  /** Leader only: this follower's log end offset as its last Fetch told the leader; null when unknown. */
  logEndOffsetAtLeader: number | null;
}

export interface PartitionDescription {
  partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[];
  /** The leader's: records below it are on every in-sync replica. -1 while there is no leader. */
  highWatermark: number; logEndOffset: number; logStartOffset: number;
  state: PartitionState;
  /** The topic's min.insync.replicas (Kafka's default 1 when not set). */
  minInsyncReplicas: number;
  /** The leader's own ISR, when it differs from the metadata's (an AlterPartition in flight). */
  pendingIsr: number[] | null;
  /** One per replica, in assignment order (the first is the preferred leader). */
  replicaDetails: ReplicaDescription[];
}
export interface TopicDescription {
  name: string; topicId: string; internal: boolean; configs: Record<string, string>; partitions: PartitionDescription[];
  /** Partitions with a leader whose ISR is smaller than their replicas (kafka-topics.sh --describe --under-replicated-partitions). */
  underReplicatedPartitions: number;
  /** Partitions without a leader (kafka-topics.sh --describe --unavailable-partitions). */
  offlinePartitions: number;
}

export interface ClusterDescription {
  brokers: { id: number; alive: boolean; state: string; rack: string | null; fenced: boolean }[];
  /** The KRaft quorum's voters, as each last reported itself. */
  controllers: ControllerDescription[];
  /** The live active controller (of the newest epoch, should a cut-off old leader not have resigned yet); null while none. */
  activeController: number | null;
  /** The quorum: its newest epoch and leader among live voters, and how many voters make a majority. */
  quorum: { epoch: number; leaderId: number | null; voters: number; live: number; majority: number };
  topics: TopicDescription[];
  /** The injected network partition: its groups and the clients' side (null when healed), and as the banner writes it. */
  network: { cut: NetworkCut | null; text: string };
  /** Consumer groups, as `kafka-consumer-groups.sh --describe --members --offsets` would show them. */
  groups: GroupDescription[];
  /** The consumer applications started with startConsumer, each in its own Web Worker. */
  clients: ClientDescription[];
}

export interface GroupMemberDescription {
  memberId: string; clientId: string; clientHost: string; sessionTimeoutMs: number;
  assignment: TopicPartitions[];
}

/** One row of `kafka-consumer-groups.sh --describe`. */
export interface GroupOffsetRow {
  topic: string; partition: number;
  /** CURRENT-OFFSET: the group's committed offset; null ('-') when it committed none. */
  committed: number | null;
  /** LOG-END-OFFSET: the partition leader's high watermark; null when no replica has reported. */
  logEndOffset: number | null;
  /** LAG = LOG-END-OFFSET - CURRENT-OFFSET; null ('-') without a committed offset. */
  lag: number | null;
  /** CONSUMER-ID: the member the partition is assigned to, null when none. */
  consumerId: string | null;
  /** CLIENT-ID of that member. */
  clientId: string | null;
}

export interface GroupDescription {
  groupId: string;
  /** As the coordinator last reported it; 'Unknown' while no coordinator has (offsets or a consumer only). */
  state: GroupStateName | 'Unknown';
  generationId: number;
  /** The assignor the members agreed on (JoinGroup's protocol name), null between rebalances of an empty group. */
  protocol: string | null;
  protocolType: string | null;
  /** The coordinator broker: leader of the group's __consumer_offsets partition when it reported. */
  coordinator: number | null;
  coordinatorAlive: boolean;
  /** The __consumer_offsets partition that holds the group: abs(hash(groupId)) mod its partition count. */
  offsetsPartition: number | null;
  /** The member id of the group leader, whose consumer computes the assignment. */
  leader: string | null;
  /** The coordinator's reason for the last change. */
  reason: string;
  members: GroupMemberDescription[];
  offsets: GroupOffsetRow[];
}

export interface ClientDescription {
  id: string; kind: 'consumer' | 'producer';
  /** A consumer's group; null for a producer. */
  groupId: string | null;
  topics: string[]; status: ClientStatus;
  /** A consumer's records its eachMessage handler finished. */
  processed: number;
  /** A producer's records acknowledged (acks=0: sent) and failed. */
  acknowledged: number;
  failed: number;
  memberId: string | null;
}

export interface ControllerDescription {
  id: number;
  alive: boolean;
  /** KRaft state (KIP-595): Unattached, Prospective (pre-vote), Candidate, Leader, Follower, Resigned; null when dead or not reported yet. */
  state: QuorumState | null;
  epoch: number;
  /** Whom it voted for in `epoch` (itself when it stood); null when nobody. */
  votedFor: number | null;
  /** The quorum leader it knows in `epoch`. */
  leaderId: number | null;
  logEndOffset: number;
  committedOffset: number;
  /** It is the active controller (the one describe() names in activeController). */
  active: boolean;
  /** Same as `active`, kept for older scripts. */
  leader: boolean;
  /** Its last stated reason for its state. */
  reason: string;
}

/** The live controller that is active, of the newest epoch should two claim it. */
export function activeControllerOf(state: ClusterState): ControllerView | null {
  let best: ControllerView | null = null;
  for (const c of Object.values(state.controllers)) {
    if (!c.active || !state.nodes[c.address]?.alive) continue;
    if (!best || c.epoch > best.epoch) best = c;
  }
  return best;
}

/** The leader's replica view of a partition, where the offsets that count live. */
export function leaderReplica(state: ClusterState, topic: string, partition: number, leader: number): ReplicaView | undefined {
  return leader >= 0 ? state.replicas[replicaKey(brokerAddress(leader), topic, partition)] : undefined;
}

export function partitionState(leader: number, replicas: readonly number[], isr: readonly number[], minInsyncReplicas: number): PartitionState {
  if (leader < 0) return 'offline';
  if (isr.length < minInsyncReplicas) return 'under-min-isr';
  if (isr.length < replicas.length) return 'under-replicated';
  return 'online';
}

const sameMembers = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((id, i) => id === [...b].sort((x, y) => x - y)[i]);

export function selectTopics(state: ClusterState, includeInternal = false): TopicDescription[] {
  const brokers = state.metadata.brokers;
  return [...state.metadata.topics.values()]
    .filter((t) => includeInternal || !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => {
      const minInsyncReplicas = Number(t.configs['min.insync.replicas'] ?? TOPIC_CONFIG_DEFAULTS['min.insync.replicas']) || 1;
      // The image's partition array may have holes while its records arrive.
      const partitions = t.partitions.filter((p) => p !== undefined).map((p): PartitionDescription => {
        const leader = leaderReplica(state, t.name, p.partition, p.leader);
        const leaderIsr = leader?.role === 'leader' && leader.leaderEpoch === p.leaderEpoch ? leader.isr : undefined;
        return {
          partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr,
          highWatermark: leader?.highWatermark ?? -1, logEndOffset: leader?.logEndOffset ?? -1, logStartOffset: leader?.logStartOffset ?? -1,
          state: partitionState(p.leader, p.replicas, p.isr, minInsyncReplicas),
          minInsyncReplicas,
          pendingIsr: leaderIsr && !sameMembers(leaderIsr, p.isr) ? leaderIsr : null,
          replicaDetails: p.replicas.map((id): ReplicaDescription => {
            const own = state.replicas[replicaKey(brokerAddress(id), t.name, p.partition)];
            const registration = brokers.get(id);
            const atLeader = id === p.leader ? undefined : leader?.replicaLogEndOffsets?.[id];
            return {
              broker: id,
              rack: registration?.rack ?? state.nodes[brokerAddress(id)]?.rack ?? null,
              alive: state.nodes[brokerAddress(id)]?.alive ?? false,
              fenced: registration?.fenced ?? true,
              leader: id === p.leader,
              inIsr: p.isr.includes(id),
              role: own?.role ?? 'none',
              logStartOffset: own?.logStartOffset ?? -1,
              logEndOffset: own?.logEndOffset ?? -1,
              highWatermark: own?.highWatermark ?? -1,
              logEndOffsetAtLeader: atLeader === undefined || atLeader < 0 ? null : atLeader,
            };
          }),
        };
      });
      return {
        name: t.name, topicId: t.topicId, internal: t.name.startsWith('__'), configs: t.configs, partitions,
        underReplicatedPartitions: partitions.filter((p) => p.leader >= 0 && p.isr.length < p.replicas.length).length,
        offlinePartitions: partitions.filter((p) => p.leader < 0).length,
      };
    });
}

const brokerIdOf = (address: string): number | null => {
  const match = /^broker-(\d+)$/.exec(address);
  return match ? Number(match[1]) : null;
};

/**
 * LOG-END-OFFSET of a partition as the consumer group tool shows it: the leader's high
 * watermark, which is what ListOffsets (latest) answers a consumer without read_committed.
 * While the leader has not reported (a failover), the highest high watermark any replica knew.
 */
export function partitionEndOffset(state: ClusterState, topic: string, partition: number): number | null {
  const p = state.metadata.partition(topic, partition);
  const leader = p ? leaderReplica(state, topic, partition, p.leader) : undefined;
  if (leader && leader.role === 'leader') return leader.highWatermark;
  let best = -1;
  for (const r of Object.values(state.replicas)) if (r.topic === topic && r.partition === partition) best = Math.max(best, r.highWatermark);
  return best >= 0 ? best : null;
}

const byClientId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id, undefined, { numeric: true });

export function selectClients(state: ClusterState): ClientDescription[] {
  return Object.values(state.clients).sort(byClientId)
    .map((c) => ({ id: c.id, kind: c.kind, groupId: c.groupId, topics: c.topics, status: c.status, processed: c.processed, acknowledged: c.acknowledged, failed: c.failed, memberId: c.memberId }));
}

/**
 * Every group a coordinator reported (and not deleted), that has committed offsets, or that a
 * running consumer application belongs to, with one offsets row per partition of the topics
 * it is assigned, subscribes to (its applications' topics) or committed.
 */
export function selectGroups(state: ClusterState): GroupDescription[] {
  const ids = new Set<string>();
  for (const group of Object.values(state.groups)) {
    const report = currentReport(group);
    if (report && !isDeletion(report)) ids.add(group.groupId);
  }
  for (const [groupId, topics] of Object.entries(state.committed)) if (Object.keys(topics).length > 0) ids.add(groupId);
  for (const c of Object.values(state.clients)) if (c.status === 'running' && c.groupId !== null) ids.add(c.groupId);
  const offsetsTopic = state.metadata.topics.get(CONSUMER_OFFSETS_TOPIC);
  const offsetsPartitions = offsetsTopic ? offsetsTopic.partitions.length : 0;
  return [...ids].sort().map((groupId): GroupDescription => {
    const group = state.groups[groupId];
    const report = group ? currentReport(group) : null;
    const live = report && !isDeletion(report) ? report : null;
    const members = (live?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, sessionTimeoutMs: m.sessionTimeoutMs, assignment: m.assignment }));
    const owner = new Map<string, GroupMemberDescription>();
    const partitionsOf = new Map<string, Set<number>>();
    const add = (topic: string, partitions: Iterable<number>) => {
      const set = partitionsOf.get(topic) ?? new Set<number>();
      for (const p of partitions) set.add(p);
      partitionsOf.set(topic, set);
    };
    for (const m of members) {
      for (const { topic, partitions } of m.assignment) {
        add(topic, partitions);
        for (const p of partitions) owner.set(`${topic}\u0000${p}`, m);
      }
    }
    const committed = state.committed[groupId] ?? {};
    for (const [topic, byPartition] of Object.entries(committed)) add(topic, Object.keys(byPartition).map(Number));
    for (const c of Object.values(state.clients)) if (c.groupId === groupId && c.status === 'running') for (const t of c.topics) add(t, []);
    const offsets: GroupOffsetRow[] = [];
    for (const topic of [...partitionsOf.keys()].sort()) {
      // Every partition of a topic the cluster knows; of one it does not, those seen.
      const meta = state.metadata.topics.get(topic);
      const partitions = meta ? meta.partitions.filter((p) => p !== undefined).map((p) => p.partition) : [...partitionsOf.get(topic)!].sort((a, b) => a - b);
      for (const partition of partitions) {
        const c = committed[topic]?.[partition]?.offset ?? null;
        const end = partitionEndOffset(state, topic, partition);
        const m = owner.get(`${topic}\u0000${partition}`) ?? null;
        offsets.push({
          topic, partition, committed: c, logEndOffset: end,
          // A commit can be reported before the leader's new high watermark: never a negative lag.
          lag: c !== null && end !== null ? Math.max(0, end - c) : null,
          consumerId: m?.memberId ?? null, clientId: m?.clientId ?? null,
        });
      }
    }
    return {
      groupId, state: report?.state ?? 'Unknown', generationId: live?.generationId ?? -1,
      protocol: live?.protocolName ?? null, protocolType: live?.protocolType ?? null,
      coordinator: report ? brokerIdOf(report.node) : null,
      coordinatorAlive: report ? state.nodes[report.node]?.alive ?? false : false,
      offsetsPartition: offsetsPartitions > 0 ? partitionForGroup(groupId, offsetsPartitions) : null,
      leader: live?.leader ?? null, reason: report?.reason ?? '',
      members, offsets,
    };
  });
}

/** `cluster.describe()`: the cluster as the nodes last reported it. */
export function describeCluster(state: ClusterState): ClusterDescription {
  const nodes = Object.values(state.nodes).sort((a, b) => a.id - b.id);
  const active = activeControllerOf(state);
  const controllerNodes = nodes.filter((n) => n.role === 'controller');
  const controllers = controllerNodes.map((n): ControllerDescription => {
    const c = state.controllers[n.address];
    const isActive = active?.id === n.id;
    return {
      id: n.id, alive: n.alive, state: n.alive ? c?.state ?? null : null, epoch: c?.epoch ?? 0, votedFor: c?.votedFor ?? null,
      leaderId: c?.leaderId ?? null, logEndOffset: c?.logEndOffset ?? 0, committedOffset: c?.committedOffset ?? -1,
      active: isActive, leader: isActive, reason: c?.reason ?? '',
    };
  });
  const live = controllers.filter((c) => c.alive);
  const epoch = Math.max(0, ...live.map((c) => c.epoch));
  const leader = live.find((c) => c.state === 'Leader' && c.epoch === epoch);
  return {
    brokers: nodes.filter((n) => n.role === 'broker').map((n) => {
      const registration = state.metadata.brokers.get(n.id);
      return { id: n.id, alive: n.alive, state: n.state ?? 'UNKNOWN', rack: registration?.rack ?? null, fenced: registration?.fenced ?? true };
    }),
    controllers,
    activeController: active?.id ?? null,
    quorum: { epoch, leaderId: leader?.id ?? null, voters: controllers.length, live: live.length, majority: Math.floor(controllers.length / 2) + 1 },
    topics: selectTopics(state, true),
    network: { cut: state.network, text: formatCut(state.network) },
    groups: selectGroups(state),
    clients: selectClients(state),
  };
}

// ---- The event timeline ------------------------------------------------------------------

/** What an event touched: the nodes involved (its reporter first), and the partition or group it is about. */
export interface EventTouch { nodes: string[]; topic?: string; partition?: number; groupId?: string }

const touchCache = new WeakMap<LoggedEvent, EventTouch>();

/**
 * The nodes, partition and group an event touched, for the timeline's filters and the stage's
 * highlight: a leader election touches the controller, the old and the new leader; an ISR change
 * the leader and the replicas that left or joined; a metadata record the brokers or partition it
 * names. Topic ids are named by `nameOf` (the metadata image's).
 */
export function eventTouches(event: LoggedEvent, nameOf?: (topicId: string) => string | undefined): EventTouch {
  const cached = touchCache.get(event);
  if (cached) return cached;
  const nodes: string[] = [];
  const add = (node: string | null | undefined) => {
    if (node && !nodes.includes(node)) nodes.push(node);
  };
  const touch: EventTouch = { nodes };
  const fields = event as { node?: unknown; client?: unknown; topic?: unknown; partition?: unknown; groupId?: unknown };
  if (typeof fields.node === 'string') add(fields.node);
  if (typeof fields.client === 'string') add(fields.client);
  if (typeof fields.topic === 'string' && typeof fields.partition === 'number') {
    touch.topic = fields.topic;
    touch.partition = fields.partition;
  }
  if (typeof fields.groupId === 'string') touch.groupId = fields.groupId;
  switch (event.type) {
    case 'quorum-message':
      add(event.from);
      add(event.to);
      break;
    case 'leader-election':
      if (event.leader >= 0) add(brokerAddress(event.leader));
      if (event.previousLeader >= 0) add(brokerAddress(event.previousLeader));
      break;
    case 'isr-change':
      for (const id of event.from) if (!event.to.includes(id)) add(brokerAddress(id));
      for (const id of event.to) if (!event.from.includes(id)) add(brokerAddress(id));
      break;
    case 'preferred-read-replica':
      add(brokerAddress(event.replica));
      break;
    case 'group-state':
      for (const m of event.members) add(m.clientHost.replace(/^\//, ''));
      break;
    case 'metadata-record': {
      const r = event.record;
      if (r.type === 'RegisterBrokerRecord' || r.type === 'UnregisterBrokerRecord') add(brokerAddress(r.brokerId));
      if (r.type === 'FenceBrokerRecord' || r.type === 'UnfenceBrokerRecord') add(brokerAddress(r.id));
      if (r.type === 'PartitionRecord' || r.type === 'PartitionChangeRecord') {
        const topic = nameOf?.(r.topicId);
        if (topic) {
          touch.topic = topic;
          touch.partition = r.partitionId;
        }
        if (r.leader !== undefined && r.leader >= 0) add(brokerAddress(r.leader));
      }
      break;
    }
    default:
      break;
  }
  // Only cache what does not depend on names still unknown.
  if (event.type !== 'metadata-record' || touch.topic !== undefined) touchCache.set(event, touch);
  return touch;
}

/** The timeline's kinds of events, each a group of event types. */
export const EVENT_KINDS = {
  nodes: 'Nodes started, killed, recovered',
  quorum: 'Controller quorum (KRaft)',
  metadata: 'Metadata records',
  replication: 'Replication: ISR, leaders, truncation',
  produce: 'Produce: appends, rejections, producer ids',
  groups: 'Consumer groups and commits',
  clients: 'Client applications',
  host: 'Network, time and resets',
  logs: 'Logs and client errors',
} as const;
export type EventKind = keyof typeof EVENT_KINDS;

export function eventKind(event: LoggedEvent): EventKind {
  switch (event.type) {
    case 'node-spawned': case 'node-killed': case 'node-started': case 'broker-state': case 'log-recovered':
      return 'nodes';
    case 'quorum-state': case 'quorum-message': case 'controller-state': case 'metadata-snapshot':
      return 'quorum';
    case 'metadata-record': case 'metadata-applied':
      return 'metadata';
    case 'isr-change': case 'leader-election': case 'log-truncated': case 'log-start-moved': case 'partition-offsets': case 'preferred-read-replica': case 'partition-deleted':
      return 'replication';
    case 'log-append': case 'request-rejected': case 'producer-id':
      return 'produce';
    case 'group-state': case 'consumer-rebalance': case 'offset-commit':
      return 'groups';
    case 'client-started': case 'client-stopped': case 'client-killed': case 'consumer-processed':
      return 'clients';
    case 'log': case 'client-error':
      return 'logs';
    default:
      // producer-sent, and whatever the host reports (cluster-reset, speed, network, time).
      return event.type === 'producer-sent' ? 'clients' : 'host';
  }
}

/**
 * A group's members each with its application (matched by member id, else by client id), then
 * the group's applications that are not members: the running ones and the last three ended.
 */
export function membersWithApps(members: readonly GroupMemberDescription[], apps: readonly ClientDescription[]): {
  rows: { member: GroupMemberDescription; app: ClientDescription | null }[]; others: ClientDescription[];
} {
  const matched = new Set<string>();
  const rows = members.map((member) => {
    const app = apps.find((a) => a.memberId === member.memberId) ?? apps.find((a) => a.id === member.clientId) ?? null;
    if (app) matched.add(app.id);
    return { member, app };
  });
  const unmatched = apps.filter((a) => !matched.has(a.id));
  return { rows, others: [...unmatched.filter((a) => a.status === 'running'), ...unmatched.filter((a) => a.status !== 'running').slice(-3)] };
}
