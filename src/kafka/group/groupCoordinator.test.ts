/**
 * The group coordinator on a simulated 3-broker cluster, driven with raw protocol requests, so
 * each step of the classic protocol (and each error a member out of date gets) is visible.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../sim/simCluster';
import { Rpc } from '../common/rpc';
import { brokerAddress } from '../config';
import { errorCode, errorName } from '../protocol/errors';
import type { ApiKey, JoinGroupResponse, RequestOf, ResponseOf } from '../protocol/messages';
import type { NodeEvent } from '../events';
import { decodeAssignment, encodeAssignment, encodeSubscription } from './consumerProtocol';

const GROUP = 'payments';

async function setup() {
  const cluster = new SimCluster({ seed: 11, brokers: 3, controllers: 1, brokerConfig: { 'group.initial.rebalance.delay.ms': 0 } });
  await cluster.start();
  const rpc = new Rpc(cluster.network.attach('tester'), cluster.scheduler.clockFor('tester'), () => {});
  const events: NodeEvent[] = [];
  cluster.onEvent((e) => events.push(e));
  /** Sends and runs simulated time until answered. */
  const call = async <K extends ApiKey>(node: number, api: K, body: RequestOf<K>): Promise<ResponseOf<K>> => {
    let result: ResponseOf<K> | undefined;
    let failure: unknown;
    void rpc.request(brokerAddress(node), api, body, { timeoutMs: 60_000 }).then((r) => { result = r; }, (e) => { failure = e; });
    await cluster.scheduler.runUntilTrue(() => result !== undefined || failure !== undefined, 70_000, `${api} answered`);
    if (failure) throw failure;
    return result!;
  };
  // The first FindCoordinator creates __consumer_offsets; ask until a coordinator is named.
  let coordinator = -1;
  for (let i = 0; i < 50 && coordinator < 0; i++) {
    const r = await call(1, 'FindCoordinator', { key: GROUP, keyType: 0 });
    if (r.errorCode === 0) coordinator = r.nodeId;
    else await cluster.scheduler.runFor(200);
  }
  expect(coordinator).toBeGreaterThan(0);
  return { cluster, call, coordinator, events };
}

const subscription = encodeSubscription({ topics: ['t'], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
const joinBody = (memberId: string, sessionTimeoutMs = 10_000) => ({
  groupId: GROUP, sessionTimeoutMs, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], clientId: 'app',
});

describe('GroupCoordinator', () => {
  it('runs a join → sync round, rebalances when a second member joins, and removes a member whose heartbeats stop', async () => {
    const { cluster, call, coordinator, events } = await setup();
    const first = await call(coordinator, 'JoinGroup', joinBody(''));
    expect(errorName(first.errorCode)).toBe('MEMBER_ID_REQUIRED');
    expect(first.memberId).toMatch(/^app-/);
    const a = first.memberId;
    const joinedA = await call(coordinator, 'JoinGroup', joinBody(a));
    expect(joinedA).toMatchObject({ errorCode: 0, generationId: 1, leader: a, protocolName: 'range' });
    expect(joinedA.members.map((m) => m.memberId)).toEqual([a]);
    const assignment = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 1] }], userData: null });
    const synced = await call(coordinator, 'SyncGroup', { groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a, assignment }] });
    expect(decodeAssignment(synced.assignment).assignedPartitions).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(await call(coordinator, 'Heartbeat', { groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null })).toEqual({ errorCode: 0 });
    expect(await call(coordinator, 'Heartbeat', { groupId: GROUP, generationId: 0, memberId: a, groupInstanceId: null })).toEqual({ errorCode: errorCode('ILLEGAL_GENERATION') });
    expect(await call(coordinator, 'Heartbeat', { groupId: GROUP, generationId: 1, memberId: 'nobody', groupInstanceId: null })).toEqual({ errorCode: errorCode('UNKNOWN_MEMBER_ID') });

    // B joins: the group prepares a rebalance; A learns by its heartbeat and rejoins.
    const b = (await call(coordinator, 'JoinGroup', joinBody(''))).memberId;
    let joinedB: JoinGroupResponse | undefined;
    const rpcB = call(coordinator, 'JoinGroup', joinBody(b)).then((r) => { joinedB = r; });
    await cluster.scheduler.runFor(10);
    expect(await call(coordinator, 'Heartbeat', { groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null })).toEqual({ errorCode: errorCode('REBALANCE_IN_PROGRESS') });
    // A commit from the old generation is still accepted while members rejoin (eager revocation commits then).
    const commit = await call(coordinator, 'OffsetCommit', { groupId: GROUP, generationIdOrMemberEpoch: 1, memberId: a, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(commit.topics[0].partitions[0].errorCode).toBe(0);
    const rejoinA = await call(coordinator, 'JoinGroup', joinBody(a));
    await rpcB;
    expect(rejoinA).toMatchObject({ generationId: 2, leader: a });
    expect(rejoinA.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());
    expect(joinedB).toMatchObject({ generationId: 2, leader: a, members: [] });
    // A follower's SyncGroup waits for the leader's.
    let syncB: ResponseOf<'SyncGroup'> | undefined;
    void call(coordinator, 'SyncGroup', { groupId: GROUP, generationId: 2, memberId: b, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }).then((r) => { syncB = r; });
    await cluster.scheduler.runFor(50);
    expect(syncB).toBeUndefined();
    const forB = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null });
    await call(coordinator, 'SyncGroup', { groupId: GROUP, generationId: 2, memberId: a, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a, assignment }, { memberId: b, assignment: forB }] });
    await cluster.scheduler.runUntilTrue(() => syncB !== undefined, 1000);
    expect(decodeAssignment(syncB!.assignment).assignedPartitions).toEqual([{ topic: 't', partitions: [1] }]);
    // Commits from a stale generation or a stranger are refused.
    const stale = await call(coordinator, 'OffsetCommit', { groupId: GROUP, generationIdOrMemberEpoch: 1, memberId: a, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 6, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(errorName(stale.topics[0].partitions[0].errorCode)).toBe('ILLEGAL_GENERATION');
    const outsider = await call(coordinator, 'OffsetCommit', { groupId: GROUP, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(errorName(outsider.topics[0].partitions[0].errorCode)).toBe('UNKNOWN_MEMBER_ID');
    // A non-empty group cannot be deleted.
    expect((await call(coordinator, 'DeleteGroups', { groupsNames: [GROUP] })).results[0].errorCode).toBe(errorCode('NON_EMPTY_GROUP'));

    // B stops heartbeating; A keeps going: after B's session timeout the group rebalances without B.
    const start = cluster.scheduler.now;
    let sawRebalance = false;
    while (!sawRebalance) {
      await cluster.scheduler.runFor(1000);
      const hb = await call(coordinator, 'Heartbeat', { groupId: GROUP, generationId: 2, memberId: a, groupInstanceId: null });
      sawRebalance = hb.errorCode === errorCode('REBALANCE_IN_PROGRESS');
      expect(cluster.scheduler.now - start).toBeLessThan(15_000);
    }
    expect(cluster.scheduler.now - start).toBeGreaterThanOrEqual(9_000);
    expect(events.some((e) => e.type === 'group-state' && e.reason.includes(`${b} missed heartbeats`))).toBe(true);
    const alone = await call(coordinator, 'JoinGroup', joinBody(a));
    expect(alone).toMatchObject({ generationId: 3, leader: a });
    expect(alone.members.map((m) => m.memberId)).toEqual([a]);
  });

  it('a new coordinator rebuilds the group and its offsets from __consumer_offsets', async () => {
    const { cluster, call, coordinator } = await setup();
    const a = (await call(coordinator, 'JoinGroup', joinBody('', 30_000))).memberId;
    await call(coordinator, 'JoinGroup', joinBody(a, 30_000));
    const assignment = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0] }], userData: null });
    await call(coordinator, 'SyncGroup', { groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a, assignment }] });
    await call(coordinator, 'OffsetCommit', { groupId: GROUP, generationIdOrMemberEpoch: 1, memberId: a, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }] }] });

    cluster.killBroker(coordinator);
    let next = -1;
    const other = [1, 2, 3].find((id) => id !== coordinator)!;
    for (let i = 0; i < 100 && (next < 0 || next === coordinator); i++) {
      await cluster.scheduler.runFor(500);
      const r = await call(other, 'FindCoordinator', { key: GROUP, keyType: 0 });
      next = r.errorCode === 0 ? r.nodeId : -1;
    }
    expect(next).not.toBe(coordinator);
    // The member carries on in its generation with the new coordinator, and its offsets are there.
    expect(await call(next, 'Heartbeat', { groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null })).toEqual({ errorCode: 0 });
    const fetched = await call(next, 'OffsetFetch', { groupId: GROUP, topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(42);
    const described = await call(next, 'DescribeGroups', { groups: [GROUP] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(decodeAssignment(described.groups[0].members[0].memberAssignment).assignedPartitions).toEqual([{ topic: 't', partitions: [0] }]);

    // Leaving empties the group; then it can be deleted, and its offsets go with it.
    expect((await call(next, 'LeaveGroup', { groupId: GROUP, members: [{ memberId: a, groupInstanceId: null }] })).members[0].errorCode).toBe(0);
    const listed = await call(next, 'ListGroups', { statesFilter: [] });
    expect(listed.groups).toContainEqual({ groupId: GROUP, protocolType: 'consumer', groupState: 'Empty' });
    // A member joining while the tombstones are written is told to come back (the group is Dead meanwhile).
    const deleting = call(next, 'DeleteGroups', { groupsNames: [GROUP] });
    const joining = call(next, 'JoinGroup', joinBody(''));
    expect((await deleting).results[0].errorCode).toBe(0);
    expect(errorName((await joining).errorCode)).toBe('COORDINATOR_NOT_AVAILABLE');
    expect((await call(next, 'DeleteGroups', { groupsNames: [GROUP] })).results[0].errorCode).toBe(errorCode('GROUP_ID_NOT_FOUND'));
    const gone = await call(next, 'OffsetFetch', { groupId: GROUP, topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(gone.topics[0].partitions[0].committedOffset).toBe(-1);
  });

  it('refuses a session timeout outside group.min/max.session.timeout.ms and a member with no common protocol', async () => {
    const { call, coordinator } = await setup();
    expect(errorName((await call(coordinator, 'JoinGroup', joinBody('', 1000))).errorCode)).toBe('INVALID_SESSION_TIMEOUT');
    const a = (await call(coordinator, 'JoinGroup', joinBody(''))).memberId;
    await call(coordinator, 'JoinGroup', joinBody(a));
    const other = { ...joinBody(''), protocols: [{ name: 'roundrobin', metadata: subscription }] };
    expect(errorName((await call(coordinator, 'JoinGroup', other)).errorCode)).toBe('INCONSISTENT_GROUP_PROTOCOL');
  });
});
