/**
 * Kafka's RangeAssignor: topic by topic, the members subscribed to it (sorted by member id) get
 * contiguous ranges of its partitions, the first (partitions % members) one extra. Topics are
 * handled independently, so with many topics the first members carry every topic's extra.
 */
import { sortedMemberIds, toGroupAssignment, type TopicPartition } from './common';
import type { Assignor } from './types';

export const range: Assignor = {
  name: 'range',
  rebalanceProtocol: 'EAGER',
  assign(members, partitionsPerTopic) {
    const perMember = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const subscriptions = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
    const ids = sortedMemberIds(members);
    for (const [topic, count] of partitionsPerTopic) {
      const consumers = ids.filter((id) => subscriptions.get(id)?.has(topic));
      if (consumers.length === 0) continue;
      const perConsumer = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      consumers.forEach((id, i) => {
        const start = perConsumer * i + Math.min(i, extra);
        const length = perConsumer + (i < extra ? 1 : 0);
        const list = perMember.get(id) ?? [];
        for (let partition = start; partition < start + length; partition++) list.push({ topic, partition });
      });
    }
    return toGroupAssignment(members, perMember);
  },
};
