import type { ClusterState, ReplicaView } from './clusterStore';
import { replicaKey } from './clusterStore';
import { brokerAddress } from '../kafka/config';

export interface PartitionDescription {
  partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[];
  highWatermark: number; logEndOffset: number; logStartOffset: number;
}
export interface TopicDescription { name: string; topicId: string; internal: boolean; configs: Record<string, string>; partitions: PartitionDescription[] }

export interface ClusterDescription {
  brokers: { id: number; alive: boolean; state: string; rack: string | null; fenced: boolean }[];
  controllers: { id: number; alive: boolean; leader: boolean }[];
  activeController: number | null;
  topics: TopicDescription[];
}

/** The leader's replica view of a partition, where the offsets that count live. */
export function leaderReplica(state: ClusterState, topic: string, partition: number, leader: number): ReplicaView | undefined {
  return leader >= 0 ? state.replicas[replicaKey(brokerAddress(leader), topic, partition)] : undefined;
}

export function selectTopics(state: ClusterState, includeInternal = false): TopicDescription[] {
  return [...state.metadata.topics.values()]
    .filter((t) => includeInternal || !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({
      name: t.name, topicId: t.topicId, internal: t.name.startsWith('__'), configs: t.configs,
      partitions: t.partitions.map((p) => {
        const replica = leaderReplica(state, t.name, p.partition, p.leader);
        return {
          partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr,
          highWatermark: replica?.highWatermark ?? -1, logEndOffset: replica?.logEndOffset ?? -1, logStartOffset: replica?.logStartOffset ?? -1,
        };
      }),
    }));
}

/** `cluster.describe()`: the cluster as the nodes last reported it. */
export function describeCluster(state: ClusterState): ClusterDescription {
  const nodes = Object.values(state.nodes).sort((a, b) => a.id - b.id);
  const active = Object.values(state.controllers).find((c) => c.active && state.nodes[c.address]?.alive);
  return {
    brokers: nodes.filter((n) => n.role === 'broker').map((n) => {
      const registration = state.metadata.brokers.get(n.id);
      return { id: n.id, alive: n.alive, state: n.state ?? 'UNKNOWN', rack: registration?.rack ?? null, fenced: registration?.fenced ?? true };
    }),
    controllers: nodes.filter((n) => n.role === 'controller').map((n) => ({ id: n.id, alive: n.alive, leader: active?.id === n.id })),
    activeController: active?.id ?? null,
    topics: selectTopics(state, true),
  };
}
