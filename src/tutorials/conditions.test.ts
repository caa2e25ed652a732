import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../cluster/events';
import {
  followerAppends, fullyInSync, groupSettled, indexAfter, isAcknowledged, killedBrokers, killedControllers, leaderAppends, processedFrom,
  processedTwice, runningClients, topicReady,
} from './conditions';
import { emptyCluster, group, partition, topic, withTopics } from './fixtures';

const append = (node: string, p: number, records: number, replicated = false): ClusterEvent => ({
  type: 'log-append', time: 0, node, topic: 't', partition: p, baseOffset: 0, lastOffset: records - 1, records, bytes: 10, leaderEpoch: 0, compression: 'none', replicated,
});
const processed = (node: string, first: number, last: number, p = 0): ClusterEvent => ({
  type: 'consumer-processed', time: 0, node, groupId: 'g', topic: 't', partition: p, firstOffset: first, lastOffset: last, count: last - first + 1,
});
const sent = (acks: -1 | 0 | 1, acknowledged: number): ClusterEvent => ({
  type: 'producer-sent', time: 0, node: 'producer-1', topic: 't', acks, partitions: [], acknowledged, errors: {},
});

describe('conditions', () => {
  it('topicReady: the topic, its partition count, a live leader for each', () => {
    const ready = withTopics(emptyCluster(), topic('t', [partition(0), partition(1)]));
    expect(topicReady(ready, 't', 2)).toBe(true);
    expect(topicReady(ready, 't', 3)).toBe(false);
    expect(topicReady(ready, 'other', 2)).toBe(false);
    expect(topicReady(withTopics(emptyCluster(), topic('t', [partition(0), partition(1, { leader: -1 })])), 't', 2)).toBe(false);
    expect(topicReady(withTopics(emptyCluster(), topic('t', [partition(0, { dead: [1] })])), 't', 1)).toBe(false);
  });

  it('fullyInSync: every replica alive and in the ISR', () => {
    expect(fullyInSync(withTopics(emptyCluster(), topic('t', [partition(0)])), 't', 0)).toBe(true);
    expect(fullyInSync(withTopics(emptyCluster(), topic('t', [partition(0, { isr: [1, 2] })])), 't', 0)).toBe(false);
    expect(fullyInSync(withTopics(emptyCluster(), topic('t', [partition(0, { dead: [3] })])), 't', 0)).toBe(false);
  });

  it('counts leader appends per partition, follower copies per broker', () => {
    const events = [append('broker-1', 0, 3), append('broker-2', 0, 3, true), append('broker-1', 1, 2), append('broker-3', 0, 1, true), append('broker-2', 0, 2, true)];
    expect([...leaderAppends(events, 't')]).toEqual([[0, 3], [1, 2]]);
    expect([...followerAppends(events, 't', 0)]).toEqual([[2, 5], [3, 1]]);
    expect(leaderAppends(events, 'other').size).toBe(0);
  });

  it('finds killed brokers and controllers', () => {
    const events: ClusterEvent[] = [
      { type: 'node-killed', time: 0, node: 'broker-2', role: 'broker' },
      { type: 'node-killed', time: 0, node: 'controller-1001', role: 'controller' },
    ];
    expect(killedBrokers(events)).toEqual([2]);
    expect(killedControllers(events)).toEqual([1001]);
  });

  it('indexAfter finds a later event only', () => {
    const events = [sent(-1, 1), sent(1, 1), sent(-1, 0), sent(-1, 2)];
    expect(indexAfter(events, 0, isAcknowledged('t', -1))).toBe(3);
    expect(indexAfter(events, 3, isAcknowledged('t', -1))).toBe(-1);
    expect(indexAfter(events, -1, isAcknowledged('t', 1))).toBe(1);
  });

  it('groupSettled: Stable, enough members, every partition owned exactly once', () => {
    const base = withTopics(emptyCluster(), topic('t', [partition(0), partition(1), partition(2)]));
    const settled = { ...base, groups: [group('g', 'Stable', [{ id: 'a', topic: 't', partitions: [0, 2] }, { id: 'b', topic: 't', partitions: [1] }])] };
    expect(groupSettled(settled, 'g', 't', 2)).toBe(true);
    expect(groupSettled(settled, 'g', 't', 3)).toBe(false);
    expect(groupSettled(settled, 'g', 't', 1)).toBe(true);
    expect(groupSettled(settled, 'g', 't', 1, true)).toBe(false);
    const rebalancing = { ...base, groups: [{ ...settled.groups[0], state: 'PreparingRebalance' as const }] };
    expect(groupSettled(rebalancing, 'g', 't', 2)).toBe(false);
    const missing = { ...base, groups: [group('g', 'Stable', [{ id: 'a', topic: 't', partitions: [0] }, { id: 'b', topic: 't', partitions: [1] }])] };
    expect(groupSettled(missing, 'g', 't', 2)).toBe(false);
    const twice = { ...base, groups: [group('g', 'Stable', [{ id: 'a', topic: 't', partitions: [0, 1] }, { id: 'b', topic: 't', partitions: [1, 2] }])] };
    expect(groupSettled(twice, 'g', 't', 2)).toBe(false);
  });

  it('processedTwice: overlapping runs of one partition by two different consumers', () => {
    expect(processedTwice([processed('consumer-1', 0, 4), processed('consumer-2', 3, 9)], 'g', 't')).toBe(true);
    expect(processedTwice([processed('consumer-1', 0, 4), processed('consumer-2', 5, 9)], 'g', 't')).toBe(false);
    // The same consumer, or another partition, is no redelivery.
    expect(processedTwice([processed('consumer-1', 0, 4), processed('consumer-1', 0, 4)], 'g', 't')).toBe(false);
    expect(processedTwice([processed('consumer-1', 0, 4, 0), processed('consumer-2', 0, 4, 1)], 'g', 't')).toBe(false);
    expect([processed('consumer-1', 1, 3)].some(processedFrom('g', 't', 0, 1))).toBe(true);
  });

  it('runningClients filters by kind, group and topic', () => {
    const cluster = {
      ...emptyCluster(),
      clients: [
        { id: 'consumer-1', kind: 'consumer' as const, groupId: 'g', topics: ['t'], status: 'running' as const, processed: 0, acknowledged: 0, failed: 0, memberId: null },
        { id: 'consumer-2', kind: 'consumer' as const, groupId: 'g', topics: ['t'], status: 'killed' as const, processed: 0, acknowledged: 0, failed: 0, memberId: null },
        { id: 'producer-1', kind: 'producer' as const, groupId: null, topics: ['t'], status: 'running' as const, processed: 0, acknowledged: 0, failed: 0, memberId: null },
      ],
    };
    expect(runningClients(cluster, { groupId: 'g' }).map((c) => c.id)).toEqual(['consumer-1']);
    expect(runningClients(cluster, { topic: 't' }).map((c) => c.id)).toEqual(['consumer-1', 'producer-1']);
    expect(runningClients(cluster, { kind: 'producer', topic: 'u' })).toEqual([]);
  });
});
