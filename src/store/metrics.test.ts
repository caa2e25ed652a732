import { describe, expect, it } from 'vitest';
import { applyEvents, initialClusterState, type ClusterState } from './clusterStore';
import { WINDOW_SECONDS, applyMetricEvents, initialMetricsState, lagMaxKey, lagSumKey, latestValue } from './metrics';
import type { ClusterEvent } from '../cluster/events';
import type { MetadataRecord } from '../kafka/metadata/records';

let offset = 0;
const record = (time: number, r: MetadataRecord): ClusterEvent => ({ type: 'metadata-record', time, node: 'controller-1000', offset: offset++, record: r });
const append = (time: number, records: number, bytes: number, replicated = false): ClusterEvent => ({
  type: 'log-append', time, node: 'broker-1', topic: 'orders', partition: 0, baseOffset: 0, lastOffset: records - 1, records, bytes, leaderEpoch: 0, compression: 'none', ...(replicated ? { replicated } : {}),
});
const isr = (time: number, from: number[], to: number[], phase: 'proposed' | 'committed' = 'committed'): ClusterEvent => ({
  type: 'isr-change', time, node: 'broker-1', topic: 'orders', partition: 0, leaderEpoch: 0, from, to, phase, reason: '',
});
const election = (time: number, leader: number): ClusterEvent => ({
  type: 'leader-election', time, node: 'controller-1000', topic: 'orders', partition: 0, previousLeader: 1, leader, leaderEpoch: 1, isr: [2], kind: 'clean', reason: '',
});
const tick = (time: number): ClusterEvent => ({ type: 'log', time, node: 'broker-1', level: 'info', message: 'tick' });

/** Controller 1000 active, three brokers, topic orders with two partitions of RF 3. */
function cluster(): ClusterState {
  offset = 0;
  return applyEvents(initialClusterState(), [
    { type: 'node-spawned', time: 0, node: 'controller-1000', role: 'controller' },
    { type: 'controller-state', time: 0, node: 'controller-1000', controllerId: 1000, active: true, epoch: 1, logEndOffset: 1, committedOffset: 0 },
    ...[1, 2, 3].map((id): ClusterEvent => ({ type: 'node-spawned', time: 0, node: `broker-${id}`, role: 'broker' })),
    record(0, { type: 'TopicRecord', name: 'orders', topicId: 'id-o' }),
    record(0, { type: 'PartitionRecord', topicId: 'id-o', partitionId: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    record(0, { type: 'PartitionRecord', topicId: 'id-o', partitionId: 1, replicas: [2, 3, 1], isr: [2, 3, 1], leader: 2, leaderEpoch: 0, partitionEpoch: 0 }),
  ]);
}

const series = (state: ClusterState, key: string) => state.metrics.series[key];

describe('metrics fold', () => {
  it('counts leader appends per second of cluster time, not replication, and late events in their own second', () => {
    let state = cluster();
    state = applyEvents(state, [append(1_000, 3, 300), append(1_500, 2, 200), append(1_600, 5, 500, true)]);
    state = applyEvents(state, [append(2_100, 4, 400), append(1_900, 1, 100)]);
    state = applyEvents(state, [tick(3_000)]);
    expect(series(state, 'MessagesInPerSec')).toEqual([0, 6, 4, 0]);
    expect(series(state, 'BytesInPerSec')).toEqual([0, 600, 400, 0]);
    expect(state.metrics.second).toBe(3);
    // The current second is still counting: a rate shows the last complete one.
    expect(latestValue(series(state, 'MessagesInPerSec'), 'rate')).toBe(4);
  });

  it('counts committed ISR shrinks and expansions and leader elections', () => {
    let state = cluster();
    state = applyEvents(state, [isr(1_000, [1, 2, 3], [1, 2], 'proposed'), isr(1_100, [1, 2, 3], [1, 2]), election(1_200, 2), election(1_300, -1)]);
    state = applyEvents(state, [isr(2_000, [1, 2], [1, 2, 3]), tick(3_000)]);
    expect(series(state, 'IsrShrinksPerSec')).toEqual([0, 1, 0, 0]);
    expect(series(state, 'IsrExpandsPerSec')).toEqual([0, 0, 1, 0]);
    // An offline "election" (leader -1) elects nobody.
    expect(series(state, 'LeaderElectionRateAndTimeMs')).toEqual([0, 1, 0, 0]);
  });

  it('samples gauges at the start of each second: under-replicated, offline, active controllers', () => {
    let state = applyEvents(cluster(), [tick(1_000)]);
    state = applyEvents(state, [
      record(1_100, { type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 0, isr: [1, 2] }),
      record(1_200, { type: 'PartitionChangeRecord', topicId: 'id-o', partitionId: 1, leader: -1, isr: [] }),
    ]);
    state = applyEvents(state, [{ type: 'node-killed', time: 2_100, node: 'controller-1000', role: 'controller' }]);
    state = applyEvents(state, [tick(3_000)]);
    // Second 0 opened before any metadata; second 1 with the topic; second 2 after the changes; second 3 with the controller dead.
    expect(series(state, 'UnderReplicatedPartitions')).toEqual([0, 0, 1, 1]);
    expect(series(state, 'OfflinePartitionsCount')).toEqual([0, 0, 1, 1]);
    expect(series(state, 'ActiveControllerCount')).toEqual([0, 1, 1, 0]);
  });

  it('samples each group\'s largest and total lag from committed offsets and high watermarks', () => {
    let state = applyEvents(cluster(), [
      { type: 'partition-offsets', time: 500, node: 'broker-1', topic: 'orders', partition: 0, logStartOffset: 0, logEndOffset: 10, highWatermark: 10, leaderEpoch: 0, role: 'leader' },
      { type: 'partition-offsets', time: 500, node: 'broker-2', topic: 'orders', partition: 1, logStartOffset: 0, logEndOffset: 7, highWatermark: 7, leaderEpoch: 0, role: 'leader' },
      { type: 'offset-commit', time: 600, node: 'broker-1', groupId: 'billing', topic: 'orders', partition: 0, offset: 4 },
      { type: 'offset-commit', time: 600, node: 'broker-1', groupId: 'billing', topic: 'orders', partition: 1, offset: 5 },
    ]);
    state = applyEvents(state, [tick(1_000)]);
    expect(state.metrics.groups).toEqual(['billing']);
    expect(series(state, lagMaxKey('billing')).at(-1)).toBe(6);
    expect(series(state, lagSumKey('billing')).at(-1)).toBe(8);
  });

  it('keeps a bounded window, forgets a gone group once its lag left it, and starts over on reset', () => {
    let state = cluster();
    for (let s = 1; s <= 100; s++) state = applyEvents(state, [append(s * 1000 + 10, 1, 10)]);
    for (const values of Object.values(state.metrics.series)) expect(values).toHaveLength(WINDOW_SECONDS);
    expect(series(state, 'MessagesInPerSec').slice(-3)).toEqual([1, 1, 1]);
    // A long jump fills the window with empty seconds.
    state = applyEvents(state, [tick(1_000_000)]);
    expect(series(state, 'MessagesInPerSec').every((v) => v === 0)).toBe(true);

    const withLag = { ...state, metrics: { ...state.metrics, series: { ...state.metrics.series, [lagMaxKey('gone')]: [3, ...new Array<number>(WINDOW_SECONDS - 1).fill(0)] } } };
    const next = applyMetricEvents(withLag, [tick(1_001_000)]);
    expect(next.metrics.series[lagMaxKey('gone')]).toBeUndefined();

    state = applyEvents(state, [{ type: 'cluster-reset', time: 1_001_500, brokers: [1], controllers: [1000] }, tick(1_001_600)]);
    expect(state.metrics.second).toBe(1001);
    expect(series(state, 'MessagesInPerSec')).toEqual([0]);
  });

  it('returns the same window when no event arrives', () => {
    const state = initialMetricsState();
    expect(applyMetricEvents(state, []).metrics).toBe(state.metrics);
  });
});
