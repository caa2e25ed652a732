/**
 * Pure helpers the tutorials' conditions are written with: questions about a cluster
 * description and the events seen since a step began.
 */
import type { ClusterEvent } from '../cluster/events';
import type { ClientDescription, ClusterDescription, GroupDescription, PartitionDescription, TopicDescription } from '../store/selectors';

export type EventOf<T extends ClusterEvent['type']> = Extract<ClusterEvent, { type: T }>;

export function eventsOf<T extends ClusterEvent['type']>(events: readonly ClusterEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/** The index of the first event after `from` that passes `test`; -1 when none does. */
export function indexAfter(events: readonly ClusterEvent[], from: number, test: (e: ClusterEvent) => boolean): number {
  for (let i = Math.max(0, from + 1); i < events.length; i++) if (test(events[i])) return i;
  return -1;
}

/** The broker id of an address like 'broker-2'; null for anything else. */
export function brokerIdOf(address: string): number | null {
  const match = /^broker-(\d+)$/.exec(address);
  return match ? Number(match[1]) : null;
}

export const topicOf = (cluster: ClusterDescription, name: string): TopicDescription | undefined => cluster.topics.find((t) => t.name === name);

export const partitionOf = (cluster: ClusterDescription, topic: string, partition: number): PartitionDescription | undefined =>
  topicOf(cluster, topic)?.partitions.find((p) => p.partition === partition);

/** The topic exists with `partitions` partitions, each led by a live broker. */
export function topicReady(cluster: ClusterDescription, name: string, partitions: number): boolean {
  const topic = topicOf(cluster, name);
  if (!topic || topic.partitions.length !== partitions) return false;
  return topic.partitions.every((p) => p.leader >= 0 && p.replicaDetails.some((r) => r.leader && r.alive));
}

/** Every replica of the partition is alive and in the ISR. */
export function fullyInSync(cluster: ClusterDescription, topic: string, partition: number): boolean {
  const p = partitionOf(cluster, topic, partition);
  return !!p && p.leader >= 0 && p.isr.length === p.replicas.length && p.replicaDetails.every((r) => r.alive && r.inIsr);
}

/** Records appended by leaders (not copied by followers) to a topic's partitions, counted per partition. */
export function leaderAppends(events: readonly ClusterEvent[], topic: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of eventsOf(events, 'log-append')) {
    if (e.topic !== topic || e.replicated) continue;
    counts.set(e.partition, (counts.get(e.partition) ?? 0) + e.records);
  }
  return counts;
}

/** Records followers copied from their leader, per follower broker id, for one partition. */
export function followerAppends(events: readonly ClusterEvent[], topic: string, partition: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of eventsOf(events, 'log-append')) {
    if (e.topic !== topic || e.partition !== partition || !e.replicated) continue;
    const id = brokerIdOf(e.node);
    if (id !== null) counts.set(id, (counts.get(id) ?? 0) + e.records);
  }
  return counts;
}

/** The broker ids killed (node-killed) among the events. */
export function killedBrokers(events: readonly ClusterEvent[]): number[] {
  return eventsOf(events, 'node-killed').map((e) => brokerIdOf(e.node)).filter((id): id is number => id !== null);
}

/** The controller ids killed among the events ('controller-1000' is 1000). */
export function killedControllers(events: readonly ClusterEvent[]): number[] {
  return eventsOf(events, 'node-killed').filter((e) => e.role === 'controller').map((e) => Number(e.node.replace(/^controller-/, '')));
}

/** A producer application's summary for `topic` with `acks` that had records acknowledged. */
export const isAcknowledged = (topic: string, acks: -1 | 0 | 1) => (e: ClusterEvent): boolean =>
  e.type === 'producer-sent' && e.topic === topic && e.acks === acks && e.acknowledged > 0;

export const groupOf = (cluster: ClusterDescription, groupId: string): GroupDescription | undefined => cluster.groups.find((g) => g.groupId === groupId);

/** Partitions of `topic` owned by some member of the group. */
export function ownedPartitions(group: GroupDescription, topic: string): number[] {
  return group.members.flatMap((m) => m.assignment.filter((a) => a.topic === topic).flatMap((a) => a.partitions)).sort((a, b) => a - b);
}

/** The group is Stable, with `members` members (at least, unless exact), and every partition of `topic` owned once. */
export function groupSettled(cluster: ClusterDescription, groupId: string, topic: string, members: number, exact = false): boolean {
  const group = groupOf(cluster, groupId);
  const t = topicOf(cluster, topic);
  if (!group || !t || group.state !== 'Stable') return false;
  if (exact ? group.members.length !== members : group.members.length < members) return false;
  const owned = ownedPartitions(group, topic);
  return owned.length === t.partitions.length && new Set(owned).size === owned.length;
}

/** Client applications running, of a kind, in a group or on a topic. */
export function runningClients(cluster: ClusterDescription, filter: { kind?: 'consumer' | 'producer'; groupId?: string; topic?: string }): ClientDescription[] {
  return cluster.clients.filter((c) => c.status === 'running'
    && (filter.kind === undefined || c.kind === filter.kind)
    && (filter.groupId === undefined || c.groupId === filter.groupId)
    && (filter.topic === undefined || c.topics.includes(filter.topic)));
}

/** A consumer of the group processed a run of `topic`-`partition` starting at `offset`. */
export const processedFrom = (groupId: string, topic: string, partition: number, offset: number) => (e: ClusterEvent): boolean =>
  e.type === 'consumer-processed' && e.groupId === groupId && e.topic === topic && e.partition === partition && e.firstOffset === offset;

/**
 * Offsets of one partition that two different consumers of the group both processed: a record
 * delivered twice (at-least-once after a crash before a commit).
 */
export function processedTwice(events: readonly ClusterEvent[], groupId: string, topic: string): boolean {
  const runs = eventsOf(events, 'consumer-processed').filter((e) => e.groupId === groupId && e.topic === topic);
  return runs.some((a, i) => runs.some((b, j) => j > i && a.node !== b.node && a.partition === b.partition
    && a.firstOffset <= b.lastOffset && b.firstOffset <= a.lastOffset));
}
