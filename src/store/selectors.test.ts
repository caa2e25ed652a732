import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState, type ClusterState } from './clusterStore';
import { describeCluster, eventKind, eventTouches, membersWithApps, partitionState, type ClientDescription } from './selectors';
import type { ClusterEvent } from '../cluster/events';
import type { MetadataRecord } from '../kafka/metadata/records';

let offset = 0;
const record = (r: MetadataRecord): ClusterEvent => ({ type: 'metadata-record', time: offset, node: 'controller-1000', offset: offset++, record: r });
const register = (id: number, rack: string): ClusterEvent => record({ type: 'RegisterBrokerRecord', brokerId: id, incarnationId: `i${id}`, brokerEpoch: 10 + id, rack, fenced: false, endPoints: [] });
const spawned = (id: number): ClusterEvent => ({ type: 'node-spawned', time: 0, node: `broker-${id}`, role: 'broker' });
const offsets = (id: number, partition: number, role: 'leader' | 'follower', leo: number, hw: number, extra: object = {}): ClusterEvent => ({
  type: 'partition-offsets', time: 1, node: `broker-${id}`, topic: 'orders', partition, logStartOffset: 0, logEndOffset: leo, highWatermark: hw, leaderEpoch: 0, role, ...extra,
});

/** Three brokers on three racks, topic orders with RF 3, min.insync.replicas=2 and two partitions. */
function cluster(): ClusterState {
  offset = 0;
  return applyEvents(initialClusterState(), [
    spawned(1), spawned(2), spawned(3), register(1, 'rack-a'), register(2, 'rack-b'), register(3, 'rack-c'),
    record({ type: 'TopicRecord', name: 'orders', topicId: 'id-o' }),
    record({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: 'orders', name: 'min.insync.replicas', value: '2' }),
    record({ type: 'PartitionRecord', topicId: 'id-o', partitionId: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    record({ type: 'PartitionRecord', topicId: 'id-o', partitionId: 1, replicas: [2, 3, 1], isr: [2, 3, 1], leader: 2, leaderEpoch: 0, partitionEpoch: 0 }),
    offsets(1, 0, 'leader', 10, 8, { isr: [1, 2, 3], replicaLogEndOffsets: { 2: 10, 3: 8 } }),
    offsets(2, 0, 'follower', 10, 8), offsets(3, 0, 'follower', 8, 8),
  ]);
}

describe('describeCluster per partition', () => {
  it('gives leader, epoch, ISR, high watermark and every replica with its rack and log end offset', () => {
    const p = describeCluster(cluster()).topics[0].partitions[0];
    expect(p).toMatchObject({ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3], highWatermark: 8, logEndOffset: 10, state: 'online', minInsyncReplicas: 2, pendingIsr: null });
    expect(p.replicaDetails.map((r) => [r.broker, r.rack, r.leader, r.inIsr, r.logEndOffset, r.logEndOffsetAtLeader])).toEqual([
      [1, 'rack-a', true, true, 10, null], [2, 'rack-b', false, true, 10, 10], [3, 'rack-c', false, true, 8, 8],
    ]);
  });

  it('follows a failover: fence, ISR shrink, new leader with a higher epoch, then under min ISR and offline', () => {
    expect(describeCluster(cluster()).topics[0]).toMatchObject({ underReplicatedPartitions: 0, offlinePartitions: 0 });
    let state = applyEvents(cluster(), [
      { type: 'node-killed', time: 2, node: 'broker-1', role: 'broker' },
      record({ type: 'FenceBrokerRecord', id: 1, epoch: 11 }),
      record({ type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 0, leader: 2, isr: [2, 3] }),
      offsets(2, 0, 'leader', 10, 10, { leaderEpoch: 1, isr: [2, 3, 1] }),
    ]);
    let p = describeCluster(state).topics[0].partitions[0];
    expect(p).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3], state: 'under-replicated', highWatermark: 10 });
    expect(describeCluster(state).topics[0]).toMatchObject({ underReplicatedPartitions: 1, offlinePartitions: 0 });
    // The leader's view runs ahead of the metadata while its AlterPartition is pending.
    expect(p.pendingIsr).toEqual([2, 3, 1]);
    expect(p.replicaDetails[0]).toMatchObject({ broker: 1, alive: false, fenced: true, leader: false, inIsr: false, logEndOffset: 10 });

    state = applyEvents(state, [record({ type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 0, isr: [2] })]);
    expect(describeCluster(state).topics[0].partitions[0].state).toBe('under-min-isr');
    state = applyEvents(state, [record({ type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 0, leader: -1, isr: [2] })]);
    p = describeCluster(state).topics[0].partitions[0];
    expect([p.state, p.leader, p.highWatermark]).toEqual(['offline', -1, -1]);
    // An offline partition is counted as unavailable, not as under-replicated (it has no leader to count it).
    expect(describeCluster(state).topics[0]).toMatchObject({ underReplicatedPartitions: 0, offlinePartitions: 1 });
  });

  it('orders the states: offline, then under min ISR, then under-replicated', () => {
    expect(partitionState(-1, [1, 2, 3], [], 2)).toBe('offline');
    expect(partitionState(1, [1, 2, 3], [1], 2)).toBe('under-min-isr');
    expect(partitionState(1, [1, 2, 3], [1, 2], 2)).toBe('under-replicated');
    expect(partitionState(1, [1, 2, 3], [1], 1)).toBe('under-replicated');
    expect(partitionState(1, [1, 2, 3], [3, 1, 2], 2)).toBe('online');
  });

  it("keeps a follower's report of the other replicas out of the leader's view", () => {
    const state = applyEvents(cluster(), [offsets(2, 0, 'follower', 11, 8, { replicaLogEndOffsets: { 3: 0 } })]);
    expect(state.replicas['broker-2/orders-0'].replicaLogEndOffsets).toBeUndefined();
    expect(describeCluster(state).topics[0].partitions[0].replicaDetails[2].logEndOffsetAtLeader).toBe(8);
  });

  it('remembers the clock speed across a reset', () => {
    let state = applyEvents(initialClusterState(), [{ type: 'speed-changed', time: 0, speed: 0.25 }]);
    state = applyEvents(state, [{ type: 'cluster-reset', time: 1, brokers: [1], controllers: [1000] }]);
    expect(state.speed).toBe(0.25);
  });
});

describe('what an event touched', () => {
  it('names the nodes, partition and group an event involves', () => {
    const election: ClusterEvent = { type: 'leader-election', time: 1, node: 'controller-1000', topic: 'orders', partition: 2, previousLeader: 1, leader: 3, leaderEpoch: 4, isr: [3], kind: 'clean', reason: '' };
    expect(eventTouches(election)).toEqual({ nodes: ['controller-1000', 'broker-3', 'broker-1'], topic: 'orders', partition: 2 });
    const shrink: ClusterEvent = { type: 'isr-change', time: 1, node: 'broker-1', topic: 'orders', partition: 0, leaderEpoch: 0, from: [1, 2, 3], to: [1, 3], phase: 'committed', reason: '' };
    expect(eventTouches(shrink).nodes).toEqual(['broker-1', 'broker-2']);
    const commit: ClusterEvent = { type: 'offset-commit', time: 1, node: 'broker-2', groupId: 'g', topic: 'orders', partition: 1, offset: 5 };
    expect(eventTouches(commit)).toEqual({ nodes: ['broker-2'], topic: 'orders', partition: 1, groupId: 'g' });
    const group: ClusterEvent = {
      type: 'group-state', time: 1, node: 'broker-2', groupId: 'g', state: 'Stable', generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'm1', reason: '',
      members: [{ memberId: 'm1', clientId: 'consumer-1', clientHost: '/consumer-1', sessionTimeoutMs: 10_000, assignment: [] }],
    };
    expect(eventTouches(group)).toEqual({ nodes: ['broker-2', 'consumer-1'], groupId: 'g' });
    expect(eventTouches({ type: 'client-killed', time: 1, client: 'consumer-3' }).nodes).toEqual(['consumer-3']);
    const change: ClusterEvent = { type: 'metadata-record', time: 1, node: 'controller-1000', offset: 9, record: { type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 1, leader: 2 } };
    expect(eventTouches(change, (id) => (id === 'id-o' ? 'orders' : undefined))).toEqual({ nodes: ['controller-1000', 'broker-2'], topic: 'orders', partition: 1 });
    expect(eventTouches({ type: 'metadata-record', time: 1, node: 'controller-1000', offset: 10, record: { type: 'FenceBrokerRecord', id: 3, epoch: 1 } }).nodes).toEqual(['controller-1000', 'broker-3']);
  });

  it('sorts events into the timeline\'s kinds', () => {
    expect(eventKind({ type: 'node-killed', time: 1, node: 'broker-1', role: 'broker' })).toBe('nodes');
    expect(eventKind({ type: 'log-append', time: 1, node: 'broker-1', topic: 't', partition: 0, baseOffset: 0, lastOffset: 0, records: 1, bytes: 70, leaderEpoch: 0, compression: 'none' })).toBe('produce');
    expect(eventKind({ type: 'isr-change', time: 1, node: 'broker-1', topic: 't', partition: 0, leaderEpoch: 0, from: [1], to: [1, 2], phase: 'proposed', reason: '' })).toBe('replication');
    expect(eventKind({ type: 'cluster-reset', time: 1, brokers: [1], controllers: [1000] })).toBe('host');
    expect(eventKind({ type: 'log', time: 1, node: 'broker-1', level: 'warn', message: 'x' })).toBe('logs');
  });
});

describe('a group\'s members and applications', () => {
  const app = (id: string, memberId: string | null, status: ClientDescription['status'] = 'running'): ClientDescription => ({
    id, kind: 'consumer', groupId: 'g', topics: ['t'], status, processed: 0, acknowledged: 0, failed: 0, memberId,
  });
  const member = (memberId: string, clientId: string) => ({ memberId, clientId, clientHost: '/x', sessionTimeoutMs: 6000, assignment: [] });

  it('matches each member to its application by member id, else client id, and lists the rest: running ones, then the last three ended', () => {
    const apps = [app('consumer-1', 'm-1'), app('consumer-2', null), app('consumer-3', null), ...[4, 5, 6, 7].map((n) => app(`consumer-${n}`, null, 'killed'))];
    const { rows, others } = membersWithApps([member('m-1', 'whatever'), member('m-2', 'consumer-2'), member('m-9', 'elsewhere')], apps);
    expect(rows.map((r) => r.app?.id ?? null)).toEqual(['consumer-1', 'consumer-2', null]);
    expect(others.map((a) => a.id)).toEqual(['consumer-3', 'consumer-5', 'consumer-6', 'consumer-7']);
  });
});
