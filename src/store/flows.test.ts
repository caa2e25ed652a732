import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../cluster/events';
import { applyEvents, initialClusterState } from './clusterStore';
import { FlowBuffer, RECORD_BATCH_OVERHEAD, applyFlowEvents, initialFlowsState, type FlowMessage } from './flows';

const sent = (id: string, time: number, extra: Partial<Extract<ClusterEvent, { type: 'message-sent' }>> = {}): ClusterEvent =>
  ({ type: 'message-sent', time, id, from: 'client-1', to: 'broker-1', api: 'Produce', kind: 'request', bytes: 200, ...extra });
const delivered = (id: string, time: number): ClusterEvent =>
  ({ type: 'message-delivered', time, id, from: 'client-1', to: 'broker-1', api: 'Produce', kind: 'request' });
const all = (buffer: FlowBuffer): FlowMessage[] => {
  const list: FlowMessage[] = [];
  buffer.forEach((f) => list.push(f));
  return list;
};

describe('flows: messages for the stage', () => {
  it('keeps each message with its send and delivery times, in the same buffer across batches', () => {
    const s0 = initialFlowsState();
    const s1 = applyFlowEvents(s0, [sent('a', 10)]);
    expect(s1.flows).toBe(s0.flows);
    expect(s1.flows.get('a')).toMatchObject({ from: 'client-1', to: 'broker-1', sentAt: 10, records: true, dropped: null });
    expect(Number.isNaN(s1.flows.get('a')!.deliveredAt)).toBe(true);
    const version = s1.flows.version;
    applyFlowEvents(s1, [delivered('a', 12)]);
    expect(s1.flows.get('a')!.deliveredAt).toBe(12);
    expect(s1.flows.version).toBeGreaterThan(version);
  });

  it('completes a message whose delivery was reported before its send', () => {
    const s = applyFlowEvents(initialFlowsState(), [delivered('b', 7), sent('b', 5)]);
    expect(s.flows.get('b')!.deliveredAt).toBe(7);
  });

  it('tells a Fetch response with records from an empty one by its size', () => {
    const fetch = (id: string, bytes: number) => sent(id, 1, { from: 'broker-1', to: 'broker-2', api: 'Fetch', kind: 'response', bytes });
    const s = applyFlowEvents(initialFlowsState(), [fetch('empty', 80), fetch('full', 80 + RECORD_BATCH_OVERHEAD + 20), fetch('empty2', 82)]);
    expect(s.flows.get('empty')!.records).toBe(false);
    expect(s.flows.get('full')!.records).toBe(true);
    expect(s.flows.get('empty2')!.records).toBe(false);
    expect(applyFlowEvents(s, [sent('fetch-req', 2, { api: 'Fetch', kind: 'request' })]).flows.get('fetch-req')!.records).toBe(false);
  });

  it('is bounded: the newest overwrite the oldest, which can no longer be found', () => {
    const buffer = new FlowBuffer(3);
    for (let i = 0; i < 5; i++) buffer.send({ id: `m${i}`, from: 'a', to: 'b', api: 'Fetch', kind: 'request', bytes: 10, sentAt: i, error: false }, null);
    expect(buffer.size).toBe(3);
    expect(all(buffer).map((f) => f.id)).toEqual(['m2', 'm3', 'm4']);
    expect(buffer.get('m0')).toBeUndefined();
    buffer.deliver('m0', 9);
    expect(all(buffer).every((f) => Number.isNaN(f.deliveredAt))).toBe(true);
  });

  it('scans only what can be on the stage: every undelivered message, and the delivered ones sent lately, oldest first', () => {
    const buffer = new FlowBuffer(100);
    const send = (id: string, sentAt: number) => buffer.send({ id, from: 'a', to: 'b', api: 'Fetch', kind: 'request', bytes: 10, sentAt, error: false }, null);
    send('old-waiting', 0);
    send('old-done', 10);
    buffer.deliver('old-done', 11);
    for (let i = 0; i < 20; i++) send(`mid-${i}`, 100 + i);
    for (let i = 0; i < 20; i++) buffer.deliver(`mid-${i}`, 101 + i);
    send('late-report', 4950);
    send('new-1', 5000);
    send('new-2', 5100);
    const seen: string[] = [];
    buffer.forEachRecent(5900, (f) => seen.push(f.id));
    buffer.deliver('late-report', 4951);
    buffer.deliver('new-1', 5001);
    const delivered: string[] = [];
    buffer.forEachRecent(5200, (f) => delivered.push(f.id));
    // Undelivered first, then the delivered ones oldest first; the slack keeps a send reported a little late (4950, within 300 ms of 5200).
    expect(seen).toEqual(['old-waiting', 'late-report', 'new-1', 'new-2']);
    expect(delivered).toEqual(['old-waiting', 'new-2', 'late-report', 'new-1']);
  });

  it('marks what never arrives: sent to a dead node, in flight to a node that dies, across a new cut', () => {
    const state = applyEvents(initialClusterState(), [
      { type: 'node-spawned', time: 0, node: 'broker-1', role: 'broker' },
      { type: 'node-spawned', time: 0, node: 'broker-2', role: 'broker' },
      { type: 'node-spawned', time: 0, node: 'broker-3', role: 'broker' },
    ]);
    const next = applyEvents(state, [
      sent('to-2', 1, { from: 'broker-1', to: 'broker-2', api: 'Fetch' }),
      sent('to-3', 1, { from: 'broker-1', to: 'broker-3', api: 'Fetch' }),
      { type: 'node-killed', time: 2, node: 'broker-2', role: 'broker' },
      sent('late', 3, { from: 'broker-1', to: 'broker-2', api: 'Fetch' }),
      { type: 'network-changed', time: 4, cut: { groups: [[1, 2], [3]], clients: 0 } },
      sent('across', 5, { from: 'broker-3', to: 'broker-1', api: 'Fetch' }),
      sent('same-side', 5, { from: 'client-1', to: 'broker-1' }),
    ]);
    const f = next.flows;
    expect(f.get('to-2')).toMatchObject({ dropped: 'dead', droppedAt: 2 });
    expect(f.get('late')).toMatchObject({ dropped: 'dead', droppedAt: 3 });
    expect(f.get('to-3')).toMatchObject({ dropped: 'cut', droppedAt: 4 });
    expect(f.get('across')).toMatchObject({ dropped: 'cut' });
    expect(f.get('same-side')!.dropped).toBeNull();
  });

  it('notes a committed ISR shrink with who left and why, and ignores proposals', () => {
    const change = (phase: 'proposed' | 'committed'): ClusterEvent => ({
      type: 'isr-change', time: 5, node: 'broker-1', topic: 'demo', partition: 0, leaderEpoch: 2, from: [1, 2, 3], to: [1, 3], phase,
      reason: 'broker 2 not caught up for 10000 ms (replica.lag.time.max.ms)',
    });
    const s0 = initialFlowsState();
    const proposed = applyFlowEvents(s0, [change('proposed')]);
    expect(proposed.stageNotes).toBe(s0.stageNotes);
    const committed = applyFlowEvents(proposed, [change('committed')]);
    expect(committed.stageNotes.isr).toEqual([expect.objectContaining({ left: [2], joined: [], leader: 'broker-1', reason: expect.stringContaining('replica.lag.time.max.ms') })]);
  });

  it('notes truncations (offsets cut) and partition leader elections', () => {
    const s = applyFlowEvents(initialFlowsState(), [
      { type: 'log-truncated', time: 3, node: 'broker-2', topic: 'demo', partition: 1, from: 9, to: 6, reason: 'leader epoch 3 ends at 6' },
      { type: 'log-truncated', time: 4, node: 'broker-3', topic: 'demo', partition: 1, from: 6, to: 6, reason: 'nothing to cut' },
      { type: 'leader-election', time: 2, node: 'controller-1000', topic: 'demo', partition: 1, previousLeader: 2, leader: 1, leaderEpoch: 3, isr: [1, 3], kind: 'clean', reason: 'broker 2 fenced' },
    ]);
    expect(s.stageNotes.truncations).toEqual([expect.objectContaining({ node: 'broker-2', from: 9, to: 6 })]);
    expect(s.stageNotes.elections).toEqual([expect.objectContaining({ previousLeader: 2, leader: 1, leaderEpoch: 3 })]);
  });

  it("keeps each consumer's last revoke and assign, with what it held before", () => {
    const rebalance = (time: number, phase: 'revoke' | 'assign', partitions: number[], generationId: number): ClusterEvent => ({
      type: 'consumer-rebalance', time, node: 'consumer-1', groupId: 'g', memberId: 'm1', generationId, phase, partitions: [{ topic: 't', partitions }], protocol: 'RoundRobinAssigner',
    });
    const s = applyFlowEvents(initialFlowsState(), [rebalance(1, 'assign', [0, 1, 2], 1), rebalance(5, 'revoke', [0, 1, 2], 1), rebalance(6, 'assign', [0, 2], 2)]);
    expect(s.stageNotes.rebalances['consumer-1']).toMatchObject({
      generationId: 2, revoked: [{ topic: 't', partitions: [0, 1, 2] }], revokedAt: 5,
      assigned: [{ topic: 't', partitions: [0, 2] }], assignedAt: 6, previous: [{ topic: 't', partitions: [0, 1, 2] }],
    });
  });

  it('sees clients on the wire, producers apart, without new notes for every message', () => {
    const s1 = applyFlowEvents(initialFlowsState(), [sent('p1', 100), sent('m1', 100, { from: 'client-2', api: 'Metadata' })]);
    expect(s1.stageNotes.clients['client-1']).toMatchObject({ produced: true, firstSeen: 100, lastProduced: 100 });
    expect(s1.stageNotes.clients['client-2']).toMatchObject({ produced: false });
    expect(s1.stageNotes.clients['broker-1']).toBeUndefined();
    const s2 = applyFlowEvents(s1, [sent('p2', 300)]);
    expect(s2.stageNotes).toBe(s1.stageNotes);
    const s3 = applyFlowEvents(s2, [sent('p3', 1200)]);
    expect(s3.stageNotes.clients['client-1']).toMatchObject({ lastSeen: 1200, firstSeen: 100 });
  });

  it('starts over on a cluster reset', () => {
    const s1 = applyFlowEvents(initialFlowsState(), [sent('a', 1)]);
    const s2 = applyFlowEvents(s1, [{ type: 'cluster-reset', time: 2, brokers: [1], controllers: [1000] }, sent('b', 3)]);
    expect(s2.flows).not.toBe(s1.flows);
    expect(all(s2.flows).map((f) => f.id)).toEqual(['b']);
    expect(s2.stageNotes.clients['client-1']).toMatchObject({ firstSeen: 3 });
  });
});
