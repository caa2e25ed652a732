import { describe, expect, it } from 'vitest';
import { describeError, describeEvent, eventNode, formatTime, inFlightSummary, isTrouble, leaderLabel, recordFields } from './format';
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

  it('describes a fence written by the controller', () => {
    expect(describeEvent({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: 42, record: { type: 'FenceBrokerRecord', id: 3, epoch: 12 } }))
      .toBe('controller-1000 wrote FenceBrokerRecord for broker 3 (broker epoch 12) at metadata offset 42');
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
