import { describe, expect, it } from 'vitest';
import { describeError, describeEvent, eventNode, failoverStep, formatDuration, formatTime, inFlightSummary, isTrouble, isrChange, kafkaDefaultOf, leaderLabel, recordFields } from './format';
import { KafkaProtocolError } from '../kafka/protocol/errors';
import type { ClusterEvent } from '../cluster/events';

const names = (id: string) => (id === 't-1' ? 'demo' : undefined);

describe('describeEvent', () => {
  it('describes an append with its offset range and leader epoch', () => {
    expect(describeEvent({
      type: 'log-append', time: 0, node: 'broker-2', topic: 'demo', partition: 1, baseOffset: 10, lastOffset: 14,
      records: 5, bytes: 300, leaderEpoch: 0, compression: 'none',
    })).toBe('broker-2 appended offsets 10–14 to demo-1 (leader epoch 0)');
  });

  it('says "offset" for a single-record append and names the compression', () => {
    expect(describeEvent({
      type: 'log-append', time: 0, node: 'broker-1', topic: 'demo', partition: 0, baseOffset: 7, lastOffset: 7,
      records: 1, bytes: 80, leaderEpoch: 3, compression: 'zstd',
    })).toBe('broker-1 appended offset 7 to demo-0 (leader epoch 3, zstd)');
  });

  it('tells a follower\'s replicated append from a leader\'s', () => {
    expect(describeEvent({
      type: 'log-append', time: 0, node: 'broker-3', topic: 'demo', partition: 0, baseOffset: 7, lastOffset: 8,
      records: 2, bytes: 80, leaderEpoch: 3, compression: 'none', replicated: true,
    })).toBe('broker-3 replicated offsets 7–8 to demo-0 (leader epoch 3, fetched from the leader)');
  });

  it('describes a fence written by the controller', () => {
    expect(describeEvent({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: 42, record: { type: 'FenceBrokerRecord', id: 3, epoch: 12 } }))
      .toBe('controller-1000 fenced broker 3: wrote FenceBrokerRecord (broker epoch 12) at metadata offset 42; it may no longer lead or be in an ISR');
  });

  it('names the topic of a partition change from its id', () => {
    const event: ClusterEvent = { type: 'metadata-record', time: 0, node: 'controller-1000', offset: 50, record: { type: 'PartitionChangeRecord', topicId: 't-1', partitionId: 2, leader: -1, isr: [3] } };
    expect(describeEvent(event, names)).toBe('controller-1000 wrote PartitionChangeRecord demo-2: leader → none (offline), isr → [3] at metadata offset 50');
    expect(isTrouble(event)).toBe(true);
  });

  it('describes log recovery', () => {
    expect(describeEvent({ type: 'log-recovered', time: 0, node: 'broker-1', topic: 'demo', partition: 0, logStartOffset: 0, logEndOffset: 480, batches: 120 }))
      .toBe('broker-1 recovered demo-0: 120 batches, log end offset 480');
    expect(describeEvent({ type: 'node-started', time: 0, node: 'broker-3', role: 'broker', recovered: { partitions: 1, batches: 1, bytes: 100 } }))
      .toBe('broker-3 started: recovered 1 partition, 1 batch, 100 B from IndexedDB');
  });

  it('describes kills, broker states and speed changes', () => {
    expect(describeEvent({ type: 'node-killed', time: 0, node: 'broker-3', role: 'broker' })).toBe('broker-3 was killed');
    expect(describeEvent({ type: 'broker-state', time: 0, node: 'broker-1', brokerId: 1, state: 'RUNNING', brokerEpoch: 5 }))
      .toBe('broker-1 is now RUNNING (broker epoch 5)');
    expect(describeEvent({ type: 'client-error', time: 0, node: 'client-2', operation: 'CreateTopics', error: 'INVALID_REPLICATION_FACTOR', message: 'INVALID_REPLICATION_FACTOR: INVALID_REPLICATION_FACTOR: only 3 brokers' }))
      .toBe('client-2 CreateTopics failed: INVALID_REPLICATION_FACTOR — only 3 brokers');
    const speed = { type: 'speed-changed', time: 0, speed: 2 } as const;
    expect(describeEvent(speed)).toBe('clock speed set to 2×');
    expect(eventNode(speed)).toBe('host');
  });
});

describe('recordFields', () => {
  it('lists a partition record as kafka-topics.sh would', () => {
    expect(recordFields({ type: 'PartitionRecord', topicId: 't-1', partitionId: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }, names))
      .toBe('demo-0: replicas [1, 2, 3], isr [1, 2, 3], leader 1');
  });
  it('shows a removed config', () => {
    expect(recordFields({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: 'demo', name: 'retention.ms', value: null }))
      .toBe('TOPIC demo: retention.ms removed');
  });
});

describe('helpers', () => {
  it('formats time as HH:MM:SS.mmm', () => {
    expect(formatTime(new Date(2024, 0, 1, 9, 5, 3, 7).getTime())).toBe('09:05:03.007');
  });
  it('labels an offline leader', () => {
    expect(leaderLabel(-1)).toBe('none (offline)');
    expect(leaderLabel(2)).toBe('2');
  });
  it('counts in-flight messages by API, most first', () => {
    expect(inFlightSummary([{ api: 'Fetch' }, { api: 'Produce' }, { api: 'Fetch' }])).toEqual([{ api: 'Fetch', count: 2 }, { api: 'Produce', count: 1 }]);
  });
  it('finds the Kafka error name, also inside a wrapping error', () => {
    expect(describeError(new KafkaProtocolError('INVALID_REPLICATION_FACTOR', 'Replication factor 5 is larger than the 3 available brokers')))
      .toEqual({ type: 'INVALID_REPLICATION_FACTOR', message: 'Replication factor 5 is larger than the 3 available brokers' });
    const wrapped = new Error('Topic creation errors');
    Object.assign(wrapped, { errors: [Object.assign(new Error('exists'), { type: 'TOPIC_ALREADY_EXISTS' })] });
    expect(describeError(wrapped)).toEqual({ type: 'TOPIC_ALREADY_EXISTS', message: 'Topic creation errors' });
    expect(describeError(new KafkaProtocolError('INVALID_REPLICATION_FACTOR', 'INVALID_REPLICATION_FACTOR: too many')).message).toBe('too many');
    expect(describeError(new Error('boom'))).toEqual({ type: null, message: 'boom' });
  });
});

describe('the story of a failover', () => {
  const isr = (phase: 'proposed' | 'committed' | 'rejected', from: number[], to: number[]): ClusterEvent => ({
    type: 'isr-change', time: 0, node: 'broker-1', topic: 'orders', partition: 0, leaderEpoch: 2, from, to, phase, reason: 'broker 2 has not caught up for 10000 ms', ...(phase === 'rejected' ? { error: 'INVALID_UPDATE_VERSION' as const } : {}),
  });

  it('tells an ISR shrink from an expand and names who leaves or joins', () => {
    expect(isrChange([1, 2, 3], [1, 3])).toEqual({ kind: 'shrink', who: 'broker 2 leaves' });
    expect(isrChange([1], [1, 2, 3])).toEqual({ kind: 'expand', who: 'brokers 2, 3 join' });
    expect(isrChange([1, 2], [1, 3])).toEqual({ kind: 'change', who: 'broker 2 leaves, broker 3 joins' });
  });

  it('names each phase of an ISR change, and only a committed shrink or a rejection is trouble', () => {
    expect(describeEvent(isr('proposed', [1, 2, 3], [1, 3])))
      .toBe('broker-1 asks the controller for an ISR shrink for orders-0 (broker 2 leaves): [1, 2, 3] → [1, 3], with AlterPartition at leader epoch 2 (broker 2 has not caught up for 10000 ms)');
    expect(describeEvent(isr('committed', [1, 3], [1, 2, 3])))
      .toBe('broker-1: ISR expand for orders-0 (broker 2 joins): [1, 3] → [1, 2, 3], committed by the controller (broker 2 has not caught up for 10000 ms)');
    expect(describeEvent(isr('rejected', [1, 2, 3], [1, 3]))).toContain('the controller rejected the ISR shrink for orders-0 (broker 2 leaves): [1, 2, 3] → [1, 3] with INVALID_UPDATE_VERSION');
    expect([isTrouble(isr('proposed', [1, 2, 3], [1, 3])), isTrouble(isr('committed', [1, 2, 3], [1, 3])), isTrouble(isr('committed', [1, 3], [1, 2, 3])), isTrouble(isr('rejected', [1, 3], [1, 2, 3]))])
      .toEqual([false, true, false, true]);
    expect(failoverStep(isr('committed', [1, 2, 3], [1, 3]))).toEqual({ label: 'ISR shrink', tone: 'bad' });
    expect(failoverStep(isr('committed', [1, 3], [1, 2, 3]))).toEqual({ label: 'ISR expand', tone: 'good' });
    expect(failoverStep(isr('proposed', [1, 3], [1, 2, 3]))).toEqual({ label: 'ISR expand proposed', tone: 'info' });
  });

  it('names a leader election with its epoch, and marks unclean and offline ones as trouble', () => {
    const election = (kind: 'clean' | 'unclean' | 'preferred' | 'offline', leader: number): ClusterEvent => ({
      type: 'leader-election', time: 0, node: 'controller-1000', topic: 'orders', partition: 1, previousLeader: 2, leader, leaderEpoch: 5, isr: leader < 0 ? [] : [leader], kind, reason: 'broker 2 was fenced',
    });
    expect(describeEvent(election('clean', 3))).toBe('controller-1000 elected broker 3 leader of orders-1 at leader epoch 5, from the ISR [3]; was broker 2 (broker 2 was fenced)');
    expect(describeEvent(election('offline', -1))).toContain('orders-1 is offline (leader none, leader epoch 5)');
    expect(describeEvent(election('unclean', 1))).toContain('UNCLEAN election: broker 1, not in the ISR, leads orders-1 at leader epoch 5');
    expect(describeEvent(election('preferred', 1))).toContain("moved orders-1's leadership back to its preferred replica, broker 1");
    expect([election('clean', 3), election('preferred', 1), election('unclean', 1), election('offline', -1)].map(isTrouble)).toEqual([false, false, true, true]);
    expect(failoverStep(election('clean', 3))).toEqual({ label: 'leader elected, epoch 5', tone: 'good' });
    expect(failoverStep(election('offline', -1))?.tone).toBe('bad');
  });

  it('names a truncation with the offsets it dropped, and a produce refused for lack of replicas', () => {
    const truncated: ClusterEvent = { type: 'log-truncated', time: 0, node: 'broker-2', topic: 'orders', partition: 0, from: 120, to: 117, reason: 'OffsetForLeaderEpoch: leader epoch 3 ends at 117 on the new leader' };
    expect(describeEvent(truncated)).toBe('broker-2 truncated its log of orders-0 from log end offset 120 to 117, dropping 3 offsets (117–119) (OffsetForLeaderEpoch: leader epoch 3 ends at 117 on the new leader)');
    expect(failoverStep(truncated)).toEqual({ label: 'truncated 120 → 117', tone: 'bad' });
    const rejected: ClusterEvent = { type: 'request-rejected', time: 0, node: 'broker-1', api: 'Produce', topic: 'orders', partition: 0, error: 'NOT_ENOUGH_REPLICAS', message: 'ISR [1] is smaller than min.insync.replicas 2' };
    expect(describeEvent(rejected)).toBe('broker-1 rejected a Produce request to orders-0 with NOT_ENOUGH_REPLICAS: ISR [1] is smaller than min.insync.replicas 2');
    expect(isTrouble(rejected)).toBe(true);
    expect(describeEvent({ ...rejected, message: 'NOT_ENOUGH_REPLICAS: the ISR is too small' } as ClusterEvent)).toBe('broker-1 rejected a Produce request to orders-0 with NOT_ENOUGH_REPLICAS: the ISR is too small');
    expect(failoverStep(rejected)).toEqual({ label: 'NOT_ENOUGH_REPLICAS', tone: 'bad' });
  });

  it('labels fencing as a step and leaves ordinary events unlabelled', () => {
    expect(failoverStep({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: 9, record: { type: 'FenceBrokerRecord', id: 2, epoch: 4 } })).toEqual({ label: 'broker fenced', tone: 'bad' });
    expect(failoverStep({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: 9, record: { type: 'UnfenceBrokerRecord', id: 2, epoch: 5 } })).toEqual({ label: 'broker unfenced', tone: 'good' });
    expect(failoverStep({ type: 'log-append', time: 0, node: 'broker-1', topic: 'demo', partition: 0, baseOffset: 0, lastOffset: 0, records: 1, bytes: 1, leaderEpoch: 0, compression: 'none' })).toBeNull();
  });

  it("reads Kafka's production default from the playground's notes", () => {
    expect(kafkaDefaultOf('broker.session.timeout.ms')).toBe('9000');
    expect(kafkaDefaultOf('replica.lag.time.max.ms')).toBe('30000');
    expect(kafkaDefaultOf('no.such.config')).toBeNull();
    expect([formatDuration(750), formatDuration(3000), formatDuration(12_500)]).toEqual(['750 ms', '3 s', '12.5 s']);
  });
});

describe('consumer group events', () => {
  const member = { memberId: 'consumer-1-abc', clientId: 'consumer-1', clientHost: '/consumer-1', sessionTimeoutMs: 30000, assignment: [{ topic: 'demo', partitions: [0, 2] }] };
  const state = (s: Extract<ClusterEvent, { type: 'group-state' }>['state'], reason: string): ClusterEvent => ({
    type: 'group-state', time: 0, node: 'broker-2', groupId: 'g', state: s, generationId: 3, protocolType: 'consumer', protocolName: 'range', leader: 'consumer-1-abc', members: [member], reason,
    ...(s === 'Dead' ? { cause: reason.startsWith('deleted') ? 'deleted' as const : 'unloaded' as const } : {}),
  });

  it('names the coordinator, state, generation and assignment', () => {
    expect(describeEvent(state('Stable', 'assignment stored'))).toBe('broker-2, coordinator of group g: Stable in generation 3 (range): consumer-1 demo[0,2]; assignment stored');
    expect(failoverStep(state('Stable', 'x'))).toEqual({ label: 'stable, generation 3', tone: 'good' });
  });

  it('tells a coordinator move from a deletion', () => {
    expect(failoverStep(state('Dead', 'no longer leader of __consumer_offsets-3: the coordinator moved'))?.label).toBe('group unloaded');
    expect(failoverStep(state('Dead', 'deleted (DeleteGroups): tombstones for its metadata and offsets'))?.label).toBe('group deleted');
  });

  it('says what eager and cooperative revocations mean, and what a kill does', () => {
    const revoke = (protocol: string): ClusterEvent => ({ type: 'consumer-rebalance', time: 0, node: 'consumer-1', groupId: 'g', memberId: 'm', generationId: 2, phase: 'revoke', partitions: [{ topic: 'demo', partitions: [1] }], protocol });
    expect(describeEvent(revoke('range'))).toContain('revokes demo[1] in group g (generation 2)');
    expect(describeEvent(revoke('range'))).toContain('eager');
    expect(describeEvent(revoke('cooperative-sticky'))).toContain('only the partitions that move');
    const killed: ClusterEvent = { type: 'client-killed', time: 0, client: 'consumer-1' };
    expect(eventNode(killed)).toBe('consumer-1');
    expect(isTrouble(killed)).toBe(true);
    expect(describeEvent(killed)).toContain('session.timeout.ms');
  });
});
