import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState, type ClusterState } from '../store/clusterStore';
import type { ClusterEvent } from '../cluster/events';
import type { MetadataRecord } from '../kafka/metadata/records';
import { stageModel } from './model';

let offset = 0;
const record = (r: MetadataRecord): ClusterEvent => ({ type: 'metadata-record', time: 0, node: 'controller-1000', offset: offset++, record: r });
const register = (id: number): ClusterEvent => record({ type: 'RegisterBrokerRecord', brokerId: id, incarnationId: `i${id}`, brokerEpoch: 10 + id, rack: null, fenced: false, endPoints: [] });
const spawned = (node: string, role: 'broker' | 'controller' = 'broker'): ClusterEvent => ({ type: 'node-spawned', time: 0, node, role });
const offsets = (id: number, partition: number, role: 'leader' | 'follower', leo: number, hw: number): ClusterEvent => ({
  type: 'partition-offsets', time: 1, node: `broker-${id}`, topic: 'orders', partition, logStartOffset: 0, logEndOffset: leo, highWatermark: hw, leaderEpoch: 0, role,
});
const quorumState = (id: number, state: 'Leader' | 'Follower' | 'Candidate' | 'Unattached', epoch: number, votedId: number | null, leaderId: number | null, time = 1): ClusterEvent => ({
  type: 'quorum-state', time, node: `controller-${id}`, controllerId: id, state, epoch, votedId, leaderId, logEndOffset: 5, highWatermark: 5, reason: 'test',
});

/** Three controllers, three brokers, orders with RF 3 on two partitions and an internal topic. */
function cluster(): ClusterState {
  offset = 0;
  return applyEvents(initialClusterState(), [
    spawned('controller-1000', 'controller'), spawned('controller-1001', 'controller'), spawned('controller-1002', 'controller'),
    spawned('broker-1'), spawned('broker-2'), spawned('broker-3'), register(1), register(2), register(3),
    record({ type: 'TopicRecord', name: 'orders', topicId: 'id-o' }),
    record({ type: 'PartitionRecord', topicId: 'id-o', partitionId: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 2, partitionEpoch: 0 }),
    record({ type: 'PartitionRecord', topicId: 'id-o', partitionId: 1, replicas: [2, 3, 1], isr: [2, 3], leader: 2, leaderEpoch: 0, partitionEpoch: 0 }),
    record({ type: 'TopicRecord', name: '__consumer_offsets', topicId: 'id-c' }),
    record({ type: 'PartitionRecord', topicId: 'id-c', partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    offsets(1, 0, 'leader', 10, 8), offsets(2, 0, 'follower', 10, 8), offsets(3, 0, 'follower', 8, 8),
    quorumState(1000, 'Leader', 3, 1000, 1000), quorumState(1001, 'Follower', 3, 1000, 1000), quorumState(1002, 'Follower', 3, null, 1000),
  ]);
}

describe('stage model', () => {
  it("gives each broker its replicas: leader with its epoch, followers, ISR members, offsets over the partition's span", () => {
    const model = stageModel(cluster(), { showInternal: false, now: 1 });
    expect(model.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    const [b1, , b3] = model.brokers;
    expect(b1.replicas.map((r) => `${r.topic}-${r.partition}`)).toEqual(['orders-0', 'orders-1']);
    expect(b1.hiddenInternal).toBe(1);
    expect(b1.replicas[0]).toMatchObject({ leader: true, leaderEpoch: 2, inIsr: true, logEndOffset: 10, highWatermark: 8, span: { start: 0, end: 10 } });
    expect(b1.replicas[1]).toMatchObject({ leader: false, inIsr: false, reported: false });
    expect(b3.replicas[0]).toMatchObject({ leader: false, role: 'follower', inIsr: true, logEndOffset: 8, span: { start: 0, end: 10 } });
    expect(stageModel(cluster(), { showInternal: true, now: 1 }).brokers[0].replicas).toHaveLength(3);
  });

  it('shows the quorum: epoch, active controller, and the votes of an election', () => {
    let state = cluster();
    state = applyEvents(state, [{ type: 'controller-state', time: 1, node: 'controller-1000', controllerId: 1000, active: true, epoch: 3, logEndOffset: 5, committedOffset: 4 }]);
    let model = stageModel(state, { showInternal: false, now: 1 });
    expect(model.quorum).toMatchObject({ epoch: 3, activeId: 1000, live: 3, voters: 3, majority: 2, electing: false, votes: [{ from: 1001, to: 1000, epoch: 3 }], votesRecent: true });
    expect(stageModel(state, { showInternal: false, now: 60_000 }).quorum.votesRecent).toBe(false);
    // The active controller dies: 1001 stands in epoch 4 and 1002 votes for it.
    state = applyEvents(state, [
      { type: 'node-killed', time: 2, node: 'controller-1000', role: 'controller' },
      quorumState(1001, 'Candidate', 4, 1001, null, 3), quorumState(1002, 'Unattached', 4, 1001, null, 3),
    ]);
    model = stageModel(state, { showInternal: false, now: 3 });
    expect(model.quorum).toMatchObject({ epoch: 4, activeId: null, live: 2, electing: true, votes: [{ from: 1002, to: 1001, epoch: 4 }] });
    expect(model.controllers[0]).toMatchObject({ alive: false, state: null });
    expect(model.notes[0]).toMatchObject({ kind: 'death', nodes: ['controller-1000'] });
  });

  it('draws a failover: the dead broker, the election, who left the ISR and why, the offsets a truncation cut', () => {
    const state = applyEvents(cluster(), [
      { type: 'node-killed', time: 5, node: 'broker-1', role: 'broker' },
      { type: 'leader-election', time: 8, node: 'controller-1000', topic: 'orders', partition: 0, previousLeader: 1, leader: 2, leaderEpoch: 3, isr: [2, 3], kind: 'clean', reason: 'broker 1 fenced' },
      record({ type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 0, leader: 2, isr: [2, 3] }),
      { type: 'isr-change', time: 9, node: 'broker-2', topic: 'orders', partition: 1, leaderEpoch: 0, from: [2, 3, 1], to: [2, 3], phase: 'committed', reason: 'broker 1 not caught up for 10000 ms (replica.lag.time.max.ms)' },
      { type: 'log-truncated', time: 10, node: 'broker-3', topic: 'orders', partition: 0, from: 12, to: 8, reason: 'diverging epoch' },
    ]);
    const model = stageModel(state, { showInternal: false, now: 11 });
    const [b1, b2, b3] = model.brokers;
    expect(b1).toMatchObject({ alive: false, since: 5, state: 'DEAD' });
    expect(b1.replicas[1].leftIsr).toMatchObject({ time: 9, reason: expect.stringContaining('replica.lag.time.max.ms') });
    // Left out by the election (fenced), not by a shrink.
    expect(b1.replicas[0].leftIsr).toMatchObject({ time: 8, reason: 'broker 1 fenced' });
    expect(b2.replicas[0]).toMatchObject({ leader: true, leaderEpoch: 3, elected: { previousLeader: 1 } });
    expect(b3.replicas[0].truncation).toMatchObject({ from: 12, to: 8 });
    // The span keeps the cut offsets in view while the truncation is news.
    expect(b3.replicas[0].span.end).toBe(12);
    expect(model.notes.map((n) => n.kind)).toEqual(['truncation', 'isr-shrink', 'election', 'death', 'quorum']);
    expect(model.notes[0].text).toContain('cutting offsets 8–11');
    expect(model.notes.find((n) => n.kind === 'election')!.text).toBe('new leader: orders-0 → broker 2 (epoch 3, was 1); broker 1 fenced');
    // Old news is no news.
    const later = stageModel(state, { showInternal: false, now: 10 + 31_000 });
    expect(later.notes).toEqual([]);
    expect(later.brokers[2].replicas[0].truncation).toBeNull();
    // Who left the ISR stays told while it is out.
    expect(later.brokers[0].replicas[1].leftIsr).not.toBeNull();
  });

  it('puts each side of a network cut on its nodes and breaks the links across it', () => {
    const state = applyEvents(cluster(), [{ type: 'network-changed', time: 2, cut: { groups: [[1, 2, 1000, 1001, 1002], [3]], clients: 0 } }]);
    const model = stageModel(state, { showInternal: false, now: 2 });
    expect(model.brokers[2].side).toEqual({ index: 1, isolated: true, clientsReach: false });
    expect(model.brokers[0].side).toMatchObject({ index: 0, isolated: false, clientsReach: true });
    expect(model.breaks).toContainEqual(['controller-1000', 'broker-3']);
    expect(model.breaks).toContainEqual(['broker-1', 'broker-3']);
    expect(model.breaks).toContainEqual(['clients', 'broker-3']);
    expect(model.breaks).not.toContainEqual(['broker-1', 'broker-2']);
    expect(model.breaks).toHaveLength(6);
  });

  it('lists the producers seen, and consumer groups with members, assignments, revokes and new partitions', () => {
    const sent = (from: string, api: string, time: number): ClusterEvent => ({ type: 'message-sent', time, id: `${from}#${time}`, from, to: 'broker-1', api: api as 'Produce', kind: 'request', bytes: 100 });
    const assignment = (partitions: number[]) => [{ topic: 'orders', partitions }];
    const state = applyEvents(cluster(), [
      sent('client-4', 'Produce', 100), sent('client-5', 'Metadata', 100),
      { type: 'client-started', time: 100, client: 'consumer-1', kind: 'consumer', groupId: 'g', topics: ['orders'], config: {} },
      { type: 'client-started', time: 100, client: 'consumer-2', kind: 'consumer', groupId: 'g', topics: ['orders'], config: {} },
      { type: 'consumer-rebalance', time: 150, node: 'consumer-1', groupId: 'g', memberId: 'm1', generationId: 1, phase: 'assign', partitions: assignment([0, 1]), protocol: 'range' },
      { type: 'consumer-rebalance', time: 200, node: 'consumer-1', groupId: 'g', memberId: 'm1', generationId: 1, phase: 'revoke', partitions: assignment([0, 1]), protocol: 'range' },
      { type: 'consumer-rebalance', time: 210, node: 'consumer-1', groupId: 'g', memberId: 'm1', generationId: 2, phase: 'assign', partitions: assignment([0]), protocol: 'range' },
      {
        type: 'group-state', time: 205, node: 'broker-2', groupId: 'g', state: 'Stable', generationId: 2, protocolType: 'consumer', protocolName: 'range', leader: 'm1', reason: 'sync',
        members: [{ memberId: 'm1', clientId: 'app', clientHost: '/consumer-1', sessionTimeoutMs: 10000, assignment: assignment([0]) }],
      },
    ]);
    const model = stageModel(state, { showInternal: false, now: 220 });
    expect(model.producers.map((p) => [p.key, p.kind, p.addresses])).toEqual([['client-4', 'producer', ['client-4']], ['clients', 'clients', ['client-5']]]);
    expect(model.groups).toHaveLength(1);
    const [group] = model.groups;
    expect(group).toMatchObject({ groupId: 'g', state: 'Stable', generationId: 2, coordinator: 2 });
    expect(group.members.map((m) => [m.address, m.status, m.leader])).toEqual([['consumer-1', 'member', true], ['consumer-2', 'joining', false]]);
    expect(group.members[0].revoked).toEqual(assignment([1]));
    expect(group.members[0].fresh).toEqual([]);
    expect(model.brokers[1].coordinatorOf).toEqual(['g']);
    expect(model.notes.find((n) => n.kind === 'rebalance')?.text).toBe('group g generation 2: consumer-1 revoked orders 0,1, assigned orders 0');
    // Killed and gone from the group: shown with what it gave up while that is news.
    const after = applyEvents(state, [
      { type: 'client-killed', time: 230, client: 'consumer-2' },
      { type: 'consumer-rebalance', time: 226, node: 'consumer-2', groupId: 'g', memberId: 'm2', generationId: 1, phase: 'assign', partitions: assignment([1]), protocol: 'range' },
    ]);
    expect(stageModel(after, { showInternal: false, now: 240 }).groups[0].members[1]).toMatchObject({ address: 'consumer-2', status: 'left', revoked: assignment([1]) });
    expect(stageModel(after, { showInternal: false, now: 240 + 31_000 }).groups[0].members).toHaveLength(1);
    // The producer leaves its column a minute after its last Produce.
    expect(stageModel(state, { showInternal: false, now: 100 + 61_000 }).producers).toEqual([]);
  });
});
