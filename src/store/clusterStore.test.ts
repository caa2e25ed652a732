import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState } from './clusterStore';
import type { ClusterEvent } from '../cluster/events';

const sent = (id: string, time = 1): ClusterEvent => ({ type: 'message-sent', time, id, from: 'broker-1', to: 'controller-1000', api: 'Fetch', kind: 'request', bytes: 10 });
const delivered = (id: string, time = 2): ClusterEvent => ({ type: 'message-delivered', time, id, from: 'broker-1', to: 'controller-1000', api: 'Fetch', kind: 'request' });

describe('cluster store', () => {
  it('tracks a message in flight from send to delivery', () => {
    let state = applyEvents(initialClusterState(), [sent('a')]);
    expect(Object.keys(state.inFlight)).toEqual(['a']);
    state = applyEvents(state, [delivered('a')]);
    expect(state.inFlight).toEqual({});
  });

  it('does not leak a message whose delivery is reported before its send (two workers, two event streams)', () => {
    let state = applyEvents(initialClusterState(), [delivered('b')]);
    state = applyEvents(state, [sent('b')]);
    expect(state.inFlight).toEqual({});
    expect(state.deliveredEarly).toEqual({});
  });

  it('replays metadata records into the same image the brokers build, once per offset', () => {
    const record = (offset: number, r: object): ClusterEvent => ({ type: 'metadata-record', time: offset, node: 'controller-1000', offset, record: r as never });
    const events = [
      record(0, { type: 'TopicRecord', name: 't', topicId: 'id-t' }),
      record(1, { type: 'PartitionRecord', partitionId: 0, topicId: 'id-t', replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
      record(2, { type: 'PartitionChangeRecord', partitionId: 0, topicId: 'id-t', leader: 2 }),
    ];
    let state = applyEvents(initialClusterState(), events);
    state = applyEvents(state, events); // a restarted controller reports its log again
    const p = state.metadata.partition('t', 0)!;
    expect([p.leader, p.leaderEpoch, p.partitionEpoch]).toEqual([2, 1, 1]);
    expect(state.metadataRecords).toHaveLength(3);
  });

  it('rebuilds the image from a snapshot the active controller states, then replays records after it', () => {
    const snapshot: ClusterEvent = {
      type: 'metadata-snapshot', time: 0, node: 'controller-1001', endOffset: 40, epoch: 3,
      records: [{ type: 'TopicRecord', name: 'old', topicId: 'id-old' }, { type: 'PartitionRecord', partitionId: 0, topicId: 'id-old', replicas: [1], isr: [1], leader: 1, leaderEpoch: 2, partitionEpoch: 5 }],
    };
    let state = applyEvents(initialClusterState(), [snapshot]);
    expect(state.metadata.offset).toBe(39);
    expect(state.metadata.partition('old', 0)?.leaderEpoch).toBe(2);
    state = applyEvents(state, [{ type: 'metadata-record', time: 1, node: 'controller-1001', offset: 40, record: { type: 'PartitionChangeRecord', partitionId: 0, topicId: 'id-old', leader: 1, isr: [1] } }]);
    expect(state.metadata.partition('old', 0)?.partitionEpoch).toBe(6);
    // An older snapshot changes nothing.
    expect(applyEvents(state, [{ ...snapshot, endOffset: 10 } as ClusterEvent]).metadata.offset).toBe(40);
  });

  it('keeps a failover step in the log while a busy producer\'s appends are evicted first', () => {
    const fence: ClusterEvent = { type: 'metadata-record', time: 0, node: 'controller-1000', offset: 0, record: { type: 'FenceBrokerRecord', id: 2, epoch: 5 } };
    const appends: ClusterEvent[] = Array.from({ length: 1200 }, (_, i) => ({
      type: 'log-append', time: i + 1, node: 'broker-1', topic: 't', partition: 0, baseOffset: i, lastOffset: i, records: 1, bytes: 80, leaderEpoch: 0, compression: 'none',
    }));
    let state = applyEvents(initialClusterState(), [fence]);
    for (let i = 0; i < appends.length; i += 100) state = applyEvents(state, appends.slice(i, i + 100));
    expect(state.recent.length).toBeLessThanOrEqual(500);
    expect(state.recent.some((e) => e.type === 'metadata-record')).toBe(true);
    expect(state.recent.at(-1)).toMatchObject({ type: 'log-append', baseOffset: 1199 });
  });

  it('does not count a request to a dead node as in flight, and forgets lost ones after a minute', () => {
    let state = applyEvents(initialClusterState(), [{ type: 'node-killed', time: 0, node: 'controller-1000', role: 'controller' }, sent('d')]);
    expect(state.inFlight).toEqual({});
    state = applyEvents(initialClusterState(), [sent('e', 1000)]);
    state = applyEvents(state, [sent('f', 62_000)]);
    expect(Object.keys(state.inFlight)).toEqual(['f']);
  });

  it('forgets messages in flight to a node that was killed', () => {
    let state = applyEvents(initialClusterState(), [{ type: 'node-spawned', time: 0, node: 'controller-1000', role: 'controller' }, sent('c')]);
    state = applyEvents(state, [{ type: 'node-killed', time: 3, node: 'controller-1000', role: 'controller' }]);
    expect(state.inFlight).toEqual({});
    expect(state.nodes['controller-1000'].alive).toBe(false);
  });
});

describe('a replica between its offset reports', () => {
  const report = (leo: number, hw: number): ClusterEvent => ({ type: 'partition-offsets', time: 1, node: 'broker-2', topic: 't', partition: 0, logStartOffset: 0, logEndOffset: leo, highWatermark: hw, leaderEpoch: 1, role: 'follower' });
  it('moves its log end offset with each append and each truncation', () => {
    let state = applyEvents(initialClusterState(), [report(5, 5)]);
    state = applyEvents(state, [{ type: 'log-append', time: 2, node: 'broker-2', topic: 't', partition: 0, baseOffset: 5, lastOffset: 9, records: 5, bytes: 100, leaderEpoch: 1, compression: 'none' }]);
    expect(state.replicas['broker-2/t-0']).toMatchObject({ logEndOffset: 10, highWatermark: 5 });
    state = applyEvents(state, [{ type: 'log-truncated', time: 3, node: 'broker-2', topic: 't', partition: 0, from: 10, to: 4, reason: 'unclean election' }]);
    expect(state.replicas['broker-2/t-0']).toMatchObject({ logEndOffset: 4, highWatermark: 4 });
    // An append for a replica never reported does not invent one.
    state = applyEvents(state, [{ type: 'log-append', time: 4, node: 'broker-3', topic: 't', partition: 0, baseOffset: 0, lastOffset: 0, records: 1, bytes: 10, leaderEpoch: 1, compression: 'none' }]);
    expect(state.replicas['broker-3/t-0']).toBeUndefined();
  });
});
