import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState, type ClusterState, type QuorumMessage } from './clusterStore';
import { describeCluster } from './selectors';
import type { ClusterEvent } from '../cluster/events';
import { describeEvent, failoverStep } from '../ui/format';
import { metadataRows } from '../ui/MetadataLog';

type QuorumStateEvent = Extract<ClusterEvent, { type: 'quorum-state' }>;
const spawned = (id: number): ClusterEvent => ({ type: 'node-spawned', time: 0, node: `controller-${id}`, role: 'controller' });
const quorum = (id: number, state: QuorumStateEvent['state'], epoch: number, extra: Partial<QuorumStateEvent> = {}): ClusterEvent => ({
  type: 'quorum-state', time: 10, node: `controller-${id}`, controllerId: id, state, epoch, votedId: null, leaderId: null, logEndOffset: 5, highWatermark: 5, reason: 'r', ...extra,
});
const controllerState = (id: number, active: boolean, epoch: number, time = 11): ClusterEvent => ({
  type: 'controller-state', time, node: `controller-${id}`, controllerId: id, active, epoch, logEndOffset: 6, committedOffset: 5,
});
const sent = (id: string, from: number, to: number, api: 'Vote' | 'BeginQuorumEpoch' | 'Fetch', time = 12, kind: 'request' | 'response' = 'request'): ClusterEvent => ({
  type: 'message-sent', time, id, from: `controller-${from}`, to: `controller-${to}`, api, kind, bytes: 10,
});
const messages = (state: ClusterState) => state.recent.filter((e): e is QuorumMessage => e.type === 'quorum-message');

/** Three voters: 1000 leads epoch 1 and is active, the others follow it. */
function elected(): ClusterState {
  return applyEvents(initialClusterState(), [
    spawned(1000), spawned(1001), spawned(1002),
    quorum(1000, 'Leader', 1, { votedId: 1000, leaderId: 1000 }), controllerState(1000, true, 1),
    quorum(1001, 'Follower', 1, { votedId: 1000, leaderId: 1000 }), quorum(1002, 'Follower', 1, { votedId: 1000, leaderId: 1000 }),
  ]);
}

describe('the controller quorum in the store and describe()', () => {
  it('keeps each voter\'s Raft state, vote, leader and offsets, and names the active controller', () => {
    const d = describeCluster(elected());
    expect(d.activeController).toBe(1000);
    expect(d.controllers.map((c) => [c.id, c.state, c.epoch, c.votedFor, c.leaderId, c.active])).toEqual([
      [1000, 'Leader', 1, 1000, 1000, true], [1001, 'Follower', 1, 1000, 1000, false], [1002, 'Follower', 1, 1000, 1000, false],
    ]);
    expect(d.controllers[0]).toMatchObject({ logEndOffset: 6, committedOffset: 5, leader: true });
    expect(d.quorum).toEqual({ epoch: 1, leaderId: 1000, voters: 3, live: 3, majority: 2 });
  });

  it('forgets a killed controller\'s state and activity, and prefers the newer epoch while a cut-off old leader still claims to be active', () => {
    let state = applyEvents(elected(), [{ type: 'node-killed', time: 20, node: 'controller-1000', role: 'controller' }]);
    let d = describeCluster(state);
    expect(d.activeController).toBeNull();
    expect(d.controllers[0]).toMatchObject({ alive: false, state: null, active: false });
    expect(d.quorum.live).toBe(2);
    // Restarted: it reports anew, still believing itself the leader of epoch 1, while 1002 won epoch 2.
    state = applyEvents(state, [spawned(1000), quorum(1000, 'Leader', 1, { leaderId: 1000 }), controllerState(1000, true, 1),
      quorum(1002, 'Leader', 2, { votedId: 1002, leaderId: 1002 }), controllerState(1002, true, 2)]);
    d = describeCluster(state);
    expect(d.activeController).toBe(1002);
    expect(d.quorum).toMatchObject({ epoch: 2, leaderId: 1002 });
    expect(d.controllers.filter((c) => c.active).map((c) => c.id)).toEqual([1002]);
  });

  it('logs controller-state only when a controller becomes or stops being active', () => {
    const before = elected().recent.filter((e) => e.type === 'controller-state').length;
    let state = applyEvents(elected(), [controllerState(1000, true, 1, 30), controllerState(1000, true, 1, 31)]);
    expect(state.recent.filter((e) => e.type === 'controller-state')).toHaveLength(before);
    expect(state.controllers['controller-1000'].logEndOffset).toBe(6);
    state = applyEvents(state, [quorum(1000, 'Resigned', 1, { leaderId: 1000, reason: 'check-quorum: only 1 of 3 voters fetched within 3000 ms' }), controllerState(1000, false, 1, 32)]);
    const last = state.recent.at(-1)!;
    expect(last.type).toBe('controller-state');
    expect(failoverStep(last)).toEqual({ label: 'no longer active', tone: 'bad' });
    expect(state.controllers['controller-1000']).toMatchObject({ state: 'Resigned', active: false });
  });

  it('tells a pre-vote from a vote by the sender\'s state, and notes whom a follower fetches from', () => {
    const state = applyEvents(elected(), [
      quorum(1001, 'Prospective', 1), sent('a', 1001, 1002, 'Vote'),
      quorum(1001, 'Candidate', 2, { votedId: 1001 }), sent('b', 1001, 1002, 'Vote'), sent('c', 1002, 1001, 'Vote', 13, 'response'),
      sent('f', 1002, 1000, 'Fetch'),
    ]);
    const logged = messages(state);
    expect(logged.map((m) => [m.api, m.kind, m.vote, m.epoch])).toEqual([['Vote', 'request', 'pre-vote', 1], ['Vote', 'request', 'vote', 2], ['Vote', 'response', undefined, 1]]);
    expect(describeEvent(logged[0])).toBe('controller-1001 asks controller 1002 for a pre-vote for epoch 2 (Vote with preVote, KIP-996)');
    expect(describeEvent(logged[1])).toBe('controller-1001 asks controller 1002 for its vote in epoch 2 (Vote)');
    expect(failoverStep(logged[0])).toEqual({ label: 'pre-vote request', tone: 'info' });
    expect(failoverStep(logged[2])).toBeNull();
    // Fetch is constant: not logged, but it shows who follows whom.
    expect(state.controllers['controller-1002'].lastFetch).toEqual({ to: 1000, time: 12 });
  });

  it('logs a retried message once with a count, and marks messages to a dead voter dropped', () => {
    let state = applyEvents(elected(), [{ type: 'node-killed', time: 20, node: 'controller-1002', role: 'controller' }]);
    state = applyEvents(state, [sent('x1', 1000, 1002, 'BeginQuorumEpoch', 21), { type: 'log', time: 21, node: 'broker-1', level: 'info', message: 'between' }]);
    state = applyEvents(state, [sent('x2', 1000, 1002, 'BeginQuorumEpoch', 22)]);
    state = applyEvents(state, [sent('x3', 1000, 1002, 'BeginQuorumEpoch', 23)]);
    const logged = messages(state);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ dropped: 'dead', time: 23, repeats: { count: 3, since: 21 } });
    expect(state.recent.at(-1)).toBe(logged[0]);
    expect(describeEvent(logged[0])).toContain('(BeginQuorumEpoch) — dropped: controller 1002 is down (3 times since');
    // A pre-vote round that keeps failing is one line too.
    state = applyEvents(state, [quorum(1001, 'Prospective', 1, { reason: 'no leader heard from' })]);
    state = applyEvents(state, [quorum(1001, 'Prospective', 1, { reason: 'no leader heard from', time: 40 })]);
    expect(state.recent.filter((e) => e.type === 'quorum-state' && e.state === 'Prospective')).toHaveLength(1);
    expect(state.recent.at(-1)?.time).toBe(40);
  });

  it('a reset empties the log even of repeated messages', () => {
    let state = applyEvents(elected(), [sent('y', 1000, 1001, 'BeginQuorumEpoch')]);
    state = applyEvents(state, [{ type: 'cluster-reset', time: 50, brokers: [1, 2, 3], controllers: [1000, 1001, 1002] }, sent('y2', 1000, 1001, 'BeginQuorumEpoch', 51)]);
    expect(state.recent.map((e) => e.type)).toEqual(['cluster-reset', 'quorum-message']);
    expect(messages(state)[0].repeats).toBeUndefined();
  });

  it('keeps metadata snapshots and the writer of each record for the metadata log', () => {
    const record = (offset: number, node: string): ClusterEvent => ({ type: 'metadata-record', time: offset, node, offset, record: { type: 'LeaderChangeMessage', leaderId: 1000, voters: [1000, 1001, 1002], grantingVoters: [1000, 1001] } });
    const snap = (node: string): ClusterEvent => ({ type: 'log', time: 5, node, level: 'info', message: 'wrote a metadata snapshot at offset 2 (epoch 1, 9 records) and deleted the log before it' });
    const state = applyEvents(initialClusterState(), [record(0, 'controller-1000'), record(1, 'controller-1000'), snap('controller-1001'), snap('controller-1000'), record(2, 'controller-1002')]);
    expect(state.metadataSnapshots.map((s) => [s.offset, s.node])).toEqual([[2, 'controller-1001'], [2, 'controller-1000']]);
    const rows = metadataRows(state);
    expect(rows.map((r) => `${r.kind}@${r.offset}`)).toEqual(['record@2', 'snapshot@2', 'record@1', 'record@0']);
    expect(rows[1]).toMatchObject({ nodes: ['controller-1000', 'controller-1001'] });
    expect(rows[0]).toMatchObject({ entry: { node: 'controller-1002' } });
    expect(failoverStep(snap('controller-1000'))).toEqual({ label: 'snapshot', tone: 'info' });
  });
});

describe('quorum steps in the event log', () => {
  it('names votes, pre-votes, wins and resignations', () => {
    const vote = quorum(1002, 'Unattached', 4, { votedId: 1001, reason: 'voted for controller 1001 in epoch 4' });
    expect(describeEvent(vote)).toBe('controller-1002 granted its vote to controller 1001 in epoch 4, written to disk before it answered (one vote per epoch)');
    expect(failoverStep(vote)).toEqual({ label: 'vote granted → 1001', tone: 'info' });
    const won = quorum(1001, 'Leader', 4, { votedId: 1001, leaderId: 1001, reason: 'won the election with votes from 1001, 1002' });
    expect(describeEvent(won)).toBe('controller-1001 became the quorum Leader in epoch 4: won the election with votes from 1001, 1002; it writes a LeaderChangeMessage and announces itself with BeginQuorumEpoch');
    expect(failoverStep(won)).toEqual({ label: 'quorum leader, epoch 4', tone: 'good' });
    const resigned = quorum(1000, 'Resigned', 3, { reason: 'check-quorum: only 1 of 3 voters fetched within 3000 ms' });
    expect(describeEvent(resigned)).toContain('resigned the quorum leadership of epoch 3: check-quorum');
    expect(failoverStep(resigned)).toEqual({ label: 'resigned', tone: 'bad' });
    expect(failoverStep(quorum(1000, 'Prospective', 3))).toEqual({ label: 'pre-vote', tone: 'info' });
    expect(failoverStep(quorum(1000, 'Unattached', 3, { reason: 'started' }))).toBeNull();
  });
});
