/**
 * Round robin: all partitions in one list, dealt to the members (sorted by member id) in turn,
 * skipping a member not subscribed to the partition's topic.
 *
 * Two names, one algorithm, differing only in the order topics are dealt:
 * - KafkaJS's 'RoundRobinAssigner' (the KafkaJS client's default) deals topics in the order the
 *   leader gives them (its subscription order), so `partitionsPerTopic`'s iteration order.
 * - Java's RoundRobinAssignor ('roundrobin') sorts topics by name first.
 * Partitions ascend within a topic, and the turn carries over from one topic to the next in both.
 *
 * KafkaJS itself never skips: it deals every partition to every member whatever they subscribed
 * to, and a member then drops topics it did not subscribe to (leaving them unconsumed). We skip,
 * as Java does; with identical subscriptions, the only case KafkaJS supports, the results agree.
 */
import { compareStrings, partitionsOf, sortedMemberIds, toGroupAssignment, type TopicPartition } from './common';
import type { Assignor, GroupAssignment, MemberSubscription } from './types';

function dealRoundRobin(
  members: readonly MemberSubscription[],
  topics: readonly string[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): GroupAssignment {
  const perMember = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const subscriptions = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const ids = sortedMemberIds(members);
  let turn = 0;
  for (const tp of partitionsOf(topics, partitionsPerTopic)) {
    if (!ids.some((id) => subscriptions.get(id)?.has(tp.topic))) continue;
    while (!subscriptions.get(ids[turn % ids.length])?.has(tp.topic)) turn++;
    perMember.get(ids[turn % ids.length])?.push(tp);
    turn++;
  }
  return toGroupAssignment(members, perMember);
}

/** KafkaJS's RoundRobinAssigner: the KafkaJS client's default. */
export const roundRobin: Assignor = {
  name: 'RoundRobinAssigner',
  rebalanceProtocol: 'EAGER',
  assign: (members, partitionsPerTopic) => dealRoundRobin(members, [...partitionsPerTopic.keys()], partitionsPerTopic),
};

/** Java's RoundRobinAssignor. */
export const javaRoundRobin: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'EAGER',
  assign: (members, partitionsPerTopic) =>
    dealRoundRobin(members, [...partitionsPerTopic.keys()].sort(compareStrings), partitionsPerTopic),
};
