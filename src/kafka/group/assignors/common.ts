/** Small helpers the assignors share: one partition at a time, ordered as Java's assignors order them. */
import type { TopicPartitions } from '../../events';
import type { GroupAssignment, MemberSubscription } from './types';

export interface TopicPartition { topic: string; partition: number }

/** Java's String.compareTo (UTF-16 code units), so member and topic order match the Java client. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const compareTopicPartitions = (a: TopicPartition, b: TopicPartition): number =>
  compareStrings(a.topic, b.topic) || a.partition - b.partition;

/** A map key for one partition; topic names cannot contain ':' but the partition number comes first anyway. */
export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

/** Member ids in Java's order (memberId; no static membership here). */
export const sortedMemberIds = (members: readonly MemberSubscription[]): string[] =>
  members.map((m) => m.memberId).sort(compareStrings);

/** Every partition of the given topics, in the given topic order, partitions ascending. */
export function partitionsOf(topics: Iterable<string>, partitionsPerTopic: ReadonlyMap<string, number>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let partition = 0; partition < count; partition++) out.push({ topic, partition });
  }
  return out;
}

/** Groups one member's partitions by topic, topics and partitions sorted, so results compare and display stably. */
export function groupByTopic(list: readonly TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of [...list].sort(compareTopicPartitions)) {
    const partitions = byTopic.get(topic);
    if (partitions) partitions.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The contract's GroupAssignment: every member present, in JoinGroup order, possibly with nothing. */
export function toGroupAssignment(
  members: readonly MemberSubscription[],
  perMember: ReadonlyMap<string, readonly TopicPartition[]>,
): GroupAssignment {
  return new Map(members.map((m) => [m.memberId, groupByTopic(perMember.get(m.memberId) ?? [])]));
}
