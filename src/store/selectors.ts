import type { ClusterState, ControllerView, QuorumState, ReplicaView } from './clusterStore';
import { replicaKey } from './clusterStore';
import { TOPIC_CONFIG_DEFAULTS, brokerAddress } from '../kafka/config';
import { formatCut, type NetworkCut } from '../cluster/networkCut';

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
  /** As the replica itself last reported it (a dead broker's last report); -1: never reported. */
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
export interface TopicDescription { name: string; topicId: string; internal: boolean; configs: Record<string, string>; partitions: PartitionDescription[] }

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
      return {
        name: t.name, topicId: t.topicId, internal: t.name.startsWith('__'), configs: t.configs,
        // The image's partition array may have holes while its records arrive.
        partitions: t.partitions.filter((p) => p !== undefined).map((p) => {
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
                logEndOffset: own?.logEndOffset ?? -1,
                highWatermark: own?.highWatermark ?? -1,
                logEndOffsetAtLeader: atLeader === undefined || atLeader < 0 ? null : atLeader,
              };
            }),
          };
        }),
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
  };
}
