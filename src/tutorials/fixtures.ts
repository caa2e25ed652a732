/**
 * For tests: small synthetic cluster descriptions, shaped as describeCluster() returns them, so
 * the engine and the conditions are tested on states written out by hand.
 */
import type { ClusterDescription, GroupDescription, PartitionDescription, TopicDescription } from '../store/selectors';

export function emptyCluster(): ClusterDescription {
  return {
    brokers: [1, 2, 3].map((id) => ({ id, alive: true, state: 'RUNNING', rack: 'abc'[id - 1], fenced: false })),
    controllers: [],
    activeController: 1000,
    quorum: { epoch: 1, leaderId: 1000, voters: 3, live: 3, majority: 2 },
    topics: [],
    network: { cut: null, text: '' },
    groups: [],
    clients: [],
  };
}

/** A partition led by `leader`, replicas 1-3, the given ISR and offsets; every replica alive and caught up unless `dead` names it. */
export function partition(p: number, options: { leader?: number; isr?: number[]; epoch?: number; hw?: number; leo?: number; dead?: number[]; replicaLeo?: Record<number, number> } = {}): PartitionDescription {
  const leader = options.leader ?? 1;
  const isr = options.isr ?? [1, 2, 3];
  const leo = options.leo ?? 0;
  const hw = options.hw ?? leo;
  return {
    partition: p, leader, leaderEpoch: options.epoch ?? 0, replicas: [1, 2, 3], isr,
    highWatermark: hw, logEndOffset: leo, logStartOffset: 0, state: 'online', minInsyncReplicas: 2, pendingIsr: null,
    replicaDetails: [1, 2, 3].map((broker) => ({
      broker, rack: null, alive: !(options.dead ?? []).includes(broker), fenced: false, leader: broker === leader, inIsr: isr.includes(broker),
      role: broker === leader ? 'leader' : 'follower', logStartOffset: 0, logEndOffset: options.replicaLeo?.[broker] ?? leo, highWatermark: hw, logEndOffsetAtLeader: null,
    })),
  };
}

export function topic(name: string, partitions: PartitionDescription[]): TopicDescription {
  return { name, topicId: `${name}-id`, internal: false, configs: {}, partitions, underReplicatedPartitions: 0, offlinePartitions: 0 };
}

export function group(groupId: string, state: GroupDescription['state'], members: { id: string; topic: string; partitions: number[] }[]): GroupDescription {
  return {
    groupId, state, generationId: 1, protocol: 'RoundRobinAssigner', protocolType: 'consumer', coordinator: 1, coordinatorAlive: true,
    offsetsPartition: 0, leader: members[0]?.id ?? null, reason: '',
    members: members.map((m) => ({ memberId: m.id, clientId: m.id, clientHost: `/${m.id}`, sessionTimeoutMs: 6000, assignment: [{ topic: m.topic, partitions: m.partitions }] })),
    offsets: [],
  };
}

export const withTopics = (cluster: ClusterDescription, ...topics: TopicDescription[]): ClusterDescription => ({ ...cluster, topics: [...cluster.topics, ...topics] });
