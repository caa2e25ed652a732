import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState, type ClusterState } from './clusterStore';
import { describeCluster } from './selectors';
import { MAX_ENDED_CLIENTS, MAX_STEPS, currentReport, latestRebalance, type RebalanceStep } from './groups';
import type { ClusterEvent } from '../cluster/events';
import type { GroupMemberView, TopicPartitions } from '../kafka/events';
import type { MetadataRecord } from '../kafka/metadata/records';

let metadataOffset = 0;
const record = (r: MetadataRecord): ClusterEvent => ({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: metadataOffset++, record: r });
const spawned = (id: number): ClusterEvent => ({ type: 'node-spawned', time: 0, node: `broker-${id}`, role: 'broker' });
const hw = (broker: number, partition: number, role: 'leader' | 'follower', highWatermark: number, time = 1): ClusterEvent => ({
  type: 'partition-offsets', time, node: `broker-${broker}`, topic: 'orders', partition, logStartOffset: 0, logEndOffset: highWatermark, highWatermark, leaderEpoch: 0, role,
});

/** Three brokers; orders with 3 partitions led by brokers 1, 2, 3; __consumer_offsets with 5. */
function cluster(): ClusterState {
  metadataOffset = 0;
  const partitions = (topicId: string, count: number) => Array.from({ length: count }, (_, p) => record({
    type: 'PartitionRecord', topicId, partitionId: p, replicas: [1 + (p % 3), 1 + ((p + 1) % 3)], isr: [1 + (p % 3), 1 + ((p + 1) % 3)], leader: 1 + (p % 3), leaderEpoch: 0, partitionEpoch: 0,
  }));
  return applyEvents(initialClusterState(), [
    spawned(1), spawned(2), spawned(3),
    record({ type: 'TopicRecord', name: 'orders', topicId: 'id-o' }), ...partitions('id-o', 3),
    record({ type: 'TopicRecord', name: '__consumer_offsets', topicId: 'id-c' }), ...partitions('id-c', 5),
    hw(1, 0, 'leader', 10), hw(2, 0, 'follower', 9), hw(2, 1, 'leader', 4), hw(3, 2, 'leader', 0),
  ]);
}

const started = (client: string, time = 1, groupId = 'g'): ClusterEvent => ({ type: 'client-started', time, client, kind: 'consumer', groupId, topics: ['orders'], config: {} });
const member = (id: string, assignment: TopicPartitions[] = []): GroupMemberView => ({ memberId: `${id}-m`, clientId: id, clientHost: `/${id}`, sessionTimeoutMs: 30000, assignment });
const groupState = (time: number, node: string, state: Extract<ClusterEvent, { type: 'group-state' }>['state'], generationId: number, members: GroupMemberView[], reason = 'test', groupId = 'g'): ClusterEvent => ({
  type: 'group-state', time, node, groupId, state, generationId, protocolType: 'consumer', protocolName: state === 'Empty' || state === 'Dead' ? null : 'RoundRobinAssigner',
  leader: members[0]?.memberId ?? null, members, reason,
  ...(state === 'Dead' ? { cause: reason.startsWith('deleted') ? 'deleted' as const : 'unloaded' as const } : {}),
});
const rebalance = (time: number, client: string, phase: 'join' | 'revoke' | 'assign', partitions: number[], generationId: number): ClusterEvent => ({
  type: 'consumer-rebalance', time, node: client, groupId: 'g', memberId: `${client}-m`, generationId, phase, partitions: partitions.length ? [{ topic: 'orders', partitions }] : [], protocol: 'RoundRobinAssigner',
});
const commit = (time: number, partition: number, offset: number, node = 'broker-2'): ClusterEvent => ({ type: 'offset-commit', time, node, groupId: 'g', topic: 'orders', partition, offset });

/** Two consumers join group g, coordinated by broker 2, and settle in generation 1. */
function settled(): ClusterState {
  return applyEvents(cluster(), [
    started('consumer-1'), started('consumer-2'),
    rebalance(2, 'consumer-1', 'join', [], -1),
    groupState(3, 'broker-2', 'PreparingRebalance', 0, [member('consumer-1')], 'Adding new member consumer-1-m'),
    rebalance(4, 'consumer-2', 'join', [], -1),
    groupState(5, 'broker-2', 'CompletingRebalance', 1, [member('consumer-1'), member('consumer-2')], 'all members joined'),
    groupState(6, 'broker-2', 'Stable', 1, [member('consumer-1', [{ topic: 'orders', partitions: [0, 2] }]), member('consumer-2', [{ topic: 'orders', partitions: [1] }])], 'leader sent SyncGroup'),
    rebalance(7, 'consumer-1', 'assign', [0, 2], 1),
    rebalance(7, 'consumer-2', 'assign', [1], 1),
  ]);
}

describe('consumer groups in the store', () => {
  it('describes a settled group: state, generation, assignor, coordinator, members and their partitions', () => {
    const [group] = describeCluster(settled()).groups;
    expect(group).toMatchObject({ groupId: 'g', state: 'Stable', generationId: 1, protocol: 'RoundRobinAssigner', coordinator: 2, coordinatorAlive: true, leader: 'consumer-1-m' });
    expect(group.members.map((m) => [m.memberId, m.clientId, m.assignment])).toEqual([
      ['consumer-1-m', 'consumer-1', [{ topic: 'orders', partitions: [0, 2] }]],
      ['consumer-2-m', 'consumer-2', [{ topic: 'orders', partitions: [1] }]],
    ]);
    expect(group.offsetsPartition).toBeGreaterThanOrEqual(0);
    expect(group.offsetsPartition).toBeLessThan(5);
  });

  it('records the rebalance as steps in one round, in order: join, PreparingRebalance, join, sync, stable, assign', () => {
    const steps = settled().groups.g.steps;
    expect(steps.map((s) => [s.kind, s.node])).toEqual([
      ['join', 'consumer-1'], ['prepare', 'broker-2'], ['join', 'consumer-2'], ['sync', 'broker-2'], ['stable', 'broker-2'], ['assign', 'consumer-1'], ['assign', 'consumer-2'],
    ]);
    expect(new Set(steps.map((s) => s.round)).size).toBe(1);
    expect(steps.at(-1)).toMatchObject({ memberId: 'consumer-2-m', partitions: [{ topic: 'orders', partitions: [1] }], generationId: 1 });
    // The next rebalance (consumer-1 revokes before rejoining) is a new round.
    const next = applyEvents(settled(), [groupState(20, 'broker-2', 'PreparingRebalance', 1, [], 'member consumer-2-m left'), rebalance(21, 'consumer-1', 'revoke', [0, 2], 1)]);
    const rounds = next.groups.g.steps.map((s) => s.round);
    expect(rounds.at(-1)).toBe(rounds[0] + 1);
    expect(rounds.at(-2)).toBe(rounds.at(-1));
  });

  it('keeps a join that arrives after the sync it preceded in the same round (workers report interleaved)', () => {
    const state = applyEvents(cluster(), [
      groupState(3, 'broker-2', 'PreparingRebalance', 0, [member('consumer-1')]),
      groupState(5, 'broker-2', 'CompletingRebalance', 1, [member('consumer-1')]),
      rebalance(2, 'consumer-1', 'join', [], -1),
      groupState(6, 'broker-2', 'Stable', 1, [member('consumer-1', [{ topic: 'orders', partitions: [0, 1, 2] }])]),
      rebalance(7, 'consumer-1', 'assign', [0, 1, 2], 1),
      rebalance(9, 'consumer-1', 'join', [], 1),
    ]);
    expect(state.groups.g.steps.map((s) => [s.kind, s.round])).toEqual([['prepare', 1], ['sync', 1], ['join', 1], ['stable', 1], ['assign', 1], ['join', 2]]);
  });

  it('gives one offsets row per partition: committed offset, the leader\'s high watermark as log end offset, lag and owner', () => {
    const state = applyEvents(settled(), [commit(8, 0, 7), commit(8, 1, 4)]);
    expect(describeCluster(state).groups[0].offsets).toEqual([
      { topic: 'orders', partition: 0, committed: 7, logEndOffset: 10, lag: 3, consumerId: 'consumer-1-m', clientId: 'consumer-1' },
      { topic: 'orders', partition: 1, committed: 4, logEndOffset: 4, lag: 0, consumerId: 'consumer-2-m', clientId: 'consumer-2' },
      { topic: 'orders', partition: 2, committed: null, logEndOffset: 0, lag: null, consumerId: 'consumer-1-m', clientId: 'consumer-1' },
    ]);
    // Lag follows the leader's high watermark, not a follower's.
    const later = applyEvents(state, [hw(1, 0, 'leader', 15, 9), hw(2, 0, 'follower', 12, 9)]);
    expect(describeCluster(later).groups[0].offsets[0]).toMatchObject({ logEndOffset: 15, lag: 8 });
  });

  it('keeps the latest commit by time, backwards too, but not a late report of an older one', () => {
    let state = applyEvents(settled(), [commit(10, 0, 9), commit(12, 0, 3, 'broker-3')]);
    expect(state.committed.g.orders[0]).toMatchObject({ offset: 3, node: 'broker-3' });
    state = applyEvents(state, [commit(11, 0, 8)]);
    expect(state.committed.g.orders[0].offset).toBe(3);
  });

  it('follows a coordinator move: the new coordinator\'s report wins, the old one\'s unload does not wipe the group', () => {
    const moved = [
      groupState(10, 'broker-3', 'Stable', 1, settledMembers(), 'loaded from __consumer_offsets'),
      groupState(11, 'broker-2', 'Dead', 1, [], 'unloaded: broker-2 is no longer the coordinator'),
    ];
    for (const events of [moved, [...moved].reverse()]) {
      const state = applyEvents(settled(), events);
      const [group] = describeCluster(state).groups;
      expect(group).toMatchObject({ state: 'Stable', coordinator: 3, generationId: 1 });
      expect(group.members).toHaveLength(2);
    }
    // Unloaded before anyone loaded it: Dead, and the next coordinator's report replaces that.
    let state = applyEvents(settled(), [groupState(10, 'broker-2', 'Dead', 1, [], 'unloaded: partition moved')]);
    expect(describeCluster(state).groups[0]).toMatchObject({ state: 'Dead', coordinator: 2 });
    state = applyEvents(state, [groupState(12, 'broker-3', 'Stable', 1, settledMembers(), 'loaded')]);
    expect(describeCluster(state).groups[0]).toMatchObject({ state: 'Stable', coordinator: 3 });
    expect(Object.keys(state.groups.g.reports).sort()).toEqual(['broker-3']);
    expect(state.groups.g.steps.slice(-2).map((s) => [s.kind, s.node])).toEqual([['unload', 'broker-2'], ['load', 'broker-3']]);
    // A move is no rebalance: the round does not change.
    expect(state.groups.g.steps.at(-1)?.round).toBe(settled().groups.g.steps.at(-1)?.round);
  });

  it('says when the coordinator broker is down, until another loads the group', () => {
    let state = applyEvents(settled(), [{ type: 'node-killed', time: 10, node: 'broker-2', role: 'broker' }]);
    expect(describeCluster(state).groups[0]).toMatchObject({ state: 'Stable', coordinator: 2, coordinatorAlive: false });
    state = applyEvents(state, [groupState(15, 'broker-1', 'Stable', 1, settledMembers(), 'loaded')]);
    expect(describeCluster(state).groups[0]).toMatchObject({ coordinator: 1, coordinatorAlive: true });
    expect(state.groups.g.steps.at(-1)).toMatchObject({ kind: 'load', node: 'broker-1', from: 'broker-2' });
  });

  it('ignores a report older than the coordinator\'s last', () => {
    const state = applyEvents(settled(), [groupState(4, 'broker-2', 'PreparingRebalance', 0, [], 'stale')]);
    expect(currentReport(state.groups.g)?.state).toBe('Stable');
  });

  it('drops a deleted group and its offsets; a new report brings the group back', () => {
    let state = applyEvents(settled(), [
      commit(8, 0, 7), { type: 'client-stopped', time: 9, client: 'consumer-1' }, { type: 'client-stopped', time: 9, client: 'consumer-2' },
      groupState(10, 'broker-2', 'Empty', 2, [], 'members left'),
    ]);
    expect(describeCluster(state).groups[0]).toMatchObject({ state: 'Empty', protocol: null, members: [] });
    state = applyEvents(state, [groupState(11, 'broker-2', 'Dead', 2, [], 'deleted (DeleteGroups)')]);
    expect(describeCluster(state).groups).toEqual([]);
    expect(state.committed.g).toBeUndefined();
    state = applyEvents(state, [groupState(12, 'broker-2', 'PreparingRebalance', 0, [member('consumer-3')], 'new member')]);
    expect(describeCluster(state).groups[0].state).toBe('PreparingRebalance');
  });

  it('tracks consumer applications: running, processed records, killed or stopped', () => {
    let state = applyEvents(settled(), [
      { type: 'consumer-processed', time: 8, node: 'consumer-1', groupId: 'g', topic: 'orders', partition: 0, firstOffset: 0, lastOffset: 4, count: 5 },
      { type: 'consumer-processed', time: 9, node: 'consumer-1', groupId: 'g', topic: 'orders', partition: 2, firstOffset: 0, lastOffset: 1, count: 2 },
      { type: 'client-killed', time: 10, client: 'consumer-1' },
    ]);
    expect(describeCluster(state).clients).toEqual([
      { id: 'consumer-1', kind: 'consumer', groupId: 'g', topics: ['orders'], status: 'killed', processed: 7, acknowledged: 0, failed: 0, memberId: 'consumer-1-m' },
      { id: 'consumer-2', kind: 'consumer', groupId: 'g', topics: ['orders'], status: 'running', processed: 0, acknowledged: 0, failed: 0, memberId: 'consumer-2-m' },
    ]);
    // Killed: still a member until session.timeout.ms passes without its heartbeat.
    expect(describeCluster(state).groups[0].members.map((m) => m.clientId)).toEqual(['consumer-1', 'consumer-2']);
    state = applyEvents(state, [
      groupState(40, 'broker-2', 'PreparingRebalance', 1, [member('consumer-2')], 'removing member consumer-1-m on heartbeat expiration'),
      groupState(41, 'broker-2', 'CompletingRebalance', 2, [member('consumer-2')], 'all members joined'),
      groupState(42, 'broker-2', 'Stable', 2, [member('consumer-2', [{ topic: 'orders', partitions: [0, 1, 2] }])], 'leader sent SyncGroup'),
    ]);
    expect(describeCluster(state).groups[0].offsets.map((r) => r.clientId)).toEqual(['consumer-2', 'consumer-2', 'consumer-2']);
  });

  it('lists a group that has only a running consumer, with a row per partition of its topics', () => {
    const state = applyEvents(cluster(), [started('consumer-9', 1, 'fresh')]);
    const [group] = describeCluster(state).groups;
    expect(group).toMatchObject({ groupId: 'fresh', state: 'Unknown', coordinator: null, members: [] });
    expect(group.offsets.map((r) => [r.partition, r.committed, r.lag, r.consumerId])).toEqual([[0, null, null, null], [1, null, null, null], [2, null, null, null]]);
  });

  it('tracks producer applications apart from groups: acknowledged and failed records', () => {
    const state = applyEvents(settled(), [
      { type: 'client-started', time: 8, client: 'producer-1', kind: 'producer', topics: ['orders'], config: { acks: -1 } },
      { type: 'producer-sent', time: 9, node: 'producer-1', topic: 'orders', acks: -1, partitions: [{ partition: 0, count: 3, firstOffset: 0, lastOffset: 2 }], acknowledged: 3, errors: {} },
      { type: 'producer-sent', time: 10, node: 'producer-1', topic: 'orders', acks: -1, partitions: [], acknowledged: 0, errors: { NOT_ENOUGH_REPLICAS: 2 } },
    ]);
    const producer = describeCluster(state).clients.find((c) => c.id === 'producer-1');
    expect(producer).toMatchObject({ kind: 'producer', groupId: null, status: 'running', acknowledged: 3, failed: 2 });
    expect(describeCluster(state).groups.map((g) => g.groupId)).toEqual(['g']);
  });

  it('keeps memory bounded: steps per group, ended applications', () => {
    let state = settled();
    for (let i = 0; i < 100; i++) state = applyEvents(state, [rebalance(100 + i, 'consumer-1', i % 2 ? 'assign' : 'revoke', [0], 1)]);
    expect(state.groups.g.steps).toHaveLength(MAX_STEPS);
    expect(state.groups.g.steps.at(-1)?.time).toBe(199);
    for (let i = 0; i < MAX_ENDED_CLIENTS + 20; i++) state = applyEvents(state, [started(`c-${i}`, 200 + i), { type: 'client-stopped', time: 200 + i, client: `c-${i}` }]);
    const ended = Object.values(state.clients).filter((c) => c.status !== 'running');
    expect(ended).toHaveLength(MAX_ENDED_CLIENTS);
    expect(state.clients['consumer-2'].status).toBe('running');
    expect(state.clients['c-0']).toBeUndefined();
  });

  it('forgets groups and applications on a cluster reset', () => {
    const state = applyEvents(settled(), [commit(8, 0, 7), { type: 'cluster-reset', time: 9, brokers: [1], controllers: [1000] }]);
    expect([state.groups, state.committed, state.clients]).toEqual([{}, {}, {}]);
  });
});

function settledMembers(): GroupMemberView[] {
  return [member('consumer-1', [{ topic: 'orders', partitions: [0, 2] }]), member('consumer-2', [{ topic: 'orders', partitions: [1] }])];
}

describe('the latest rebalance round', () => {
  const step = (seq: number, round: number, time: number, kind: RebalanceStep['kind']): RebalanceStep => ({
    seq, round, time, kind, generationId: round, node: kind === 'join' ? 'consumer-1' : 'broker-1', memberId: null, partitions: [], detail: '',
  });

  it('is the newest round in time order, settled once Stable, with how long the round before took; coordinator moves aside', () => {
    const steps = [step(1, 1, 100, 'join'), step(2, 1, 400, 'stable'), step(3, 1, 450, 'unload'), step(5, 2, 1300, 'prepare'), step(4, 2, 1200, 'join'), step(6, 2, 1900, 'stable')];
    const latest = latestRebalance(steps, 'Stable')!;
    expect(latest.steps.map((s) => s.seq)).toEqual([4, 5, 6]);
    expect([latest.start, latest.end, latest.settled, latest.previousMs]).toEqual([1200, 1900, true, 300]);
    expect(latestRebalance(steps, 'PreparingRebalance')!.settled).toBe(false);
    expect(latestRebalance([step(1, 1, 0, 'load')], 'Empty')).toBeNull();
  });
});
