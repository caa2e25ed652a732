import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../cluster/events';
import { emptyCluster, partition, topic, withTopics } from '../fixtures';
import type { StepContext } from '../types';
import { failoverTutorial } from './failover';

const step = (id: string) => failoverTutorial.steps.find((s) => s.id === id)!;
const cluster = (p: Parameters<typeof partition>[1], fenced: number[] = []) => {
  const c = withTopics(emptyCluster(), topic('tutorial-failover', [partition(0, p)]));
  return { ...c, brokers: c.brokers.map((b) => ({ ...b, fenced: fenced.includes(b.id) })) };
};
const cutOff = (id: number): ClusterEvent => ({ type: 'network-changed', time: 0, cut: { groups: [[1, 2, 3, 1000, 1001, 1002].filter((n) => n !== id), [id]], clients: 1 } });
const killed = (id: number): ClusterEvent => ({ type: 'node-killed', time: 0, node: `broker-${id}`, role: 'broker' });
const elected = (previousLeader: number, leader: number, leaderEpoch: number): ClusterEvent => ({
  type: 'leader-election', time: 0, node: 'controller-1000', topic: 'tutorial-failover', partition: 0, previousLeader, leader, leaderEpoch, isr: [], kind: 'clean', reason: '',
});
const ctx = (c: StepContext['cluster'], start: StepContext['start'], events: ClusterEvent[]): StepContext => ({ cluster: c, start, events });

describe('leader failover conditions', () => {
  it('kill-leader: the killed broker fenced and replaced, even if leadership moved between the step\'s start and the kill', () => {
    // The step began with broker 1 leading; a preferred leader election then moved it to 3, which was killed.
    const start = cluster({ leader: 1, epoch: 2 });
    const after = cluster({ leader: 2, epoch: 4, isr: [1, 2] }, [3]);
    const done = step('kill-leader').done;
    expect(done(ctx(after, start, [killed(3), elected(3, 2, 4)]))).toBe(true);
    // Not yet fenced, or no election seen: still waiting.
    expect(done(ctx(cluster({ leader: 2, epoch: 4 }), start, [killed(3), elected(3, 2, 4)]))).toBe(false);
    expect(done(ctx(after, start, [killed(3)]))).toBe(false);
  });

  it('cut-off: the broker alone on the clients\' side holds records the new leader lacks', () => {
    const start = cluster({ leader: 1, epoch: 2, leo: 50 });
    const done = step('cut-off').done;
    // Broker 3 led by the time of the cut (a preferred election after the step began) and was cut off.
    const diverged = cluster({ leader: 2, epoch: 4, leo: 50, isr: [1, 2], replicaLeo: { 3: 80 } }, [3]);
    expect(done(ctx(diverged, start, [cutOff(3)]))).toBe(true);
    // No records beyond the new leader's yet, no new leader yet, or no cut: waiting.
    expect(done(ctx(cluster({ leader: 2, epoch: 4, leo: 50, replicaLeo: { 3: 50 } }), start, [cutOff(3)]))).toBe(false);
    expect(done(ctx(cluster({ leader: 3, epoch: 3, leo: 80 }), start, [cutOff(3)]))).toBe(false);
    expect(done(ctx(diverged, start, []))).toBe(false);
  });
});
