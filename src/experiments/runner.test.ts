import { describe, expect, it } from 'vitest';
import { fakeApi, fakeDescription } from '../scenario/testing';
import type { Experiment, RunResult } from './model';
import { runExperiment, type RunProgress } from './runner';

/** A cluster clock 500× faster than the wall, so waits of cluster seconds take milliseconds. */
function fastClock(): () => number {
  const start = Date.now();
  return () => 1_000_000 + (Date.now() - start) * 500;
}

const healthy = () => fakeDescription({ brokers: 3, topics: { t: [{ leader: 2, isr: [1, 2, 3] }] } });

/** A small experiment: the fake "loses" the last record when the leader is killed, as acks=1 can. */
const tiny: Experiment = {
  id: 'tiny', title: 'Tiny', claim: 'A claim.', inKafka: '', cluster: { brokers: 3, controllers: 1 },
  topic: { name: 't', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '1' } },
  speed: 2, delivery: 'read',
  variants: [{ id: 'a', label: 'A', topicConfigs: { 'unclean.leader.election.enable': 'true' }, probe: { acks: 1 } }],
  steps: [
    { do: 'produce', count: 3, say: 'Write 3' },
    { do: 'remember', name: 'old', target: 'leader:t/0', say: 'Note the leader' },
    { do: 'fault', fault: { action: 'killBroker', target: '$old' }, atMs: 1000, say: 'Kill it' },
    { do: 'wait-for', id: 'failover', until: { kind: 'leader-elected', not: 'old' }, timeoutMs: 5000, say: 'A new leader' },
    { do: 'mark', name: 'after', say: 'Count from here' },
    { do: 'produce', count: 2, say: 'Write 2 more' },
    { do: 'wait-for', until: { kind: 'acknowledged', count: 2, since: 'after' }, timeoutMs: 5000, say: '2 more acknowledged' },
    { do: 'wait-for', id: 'offline', until: { kind: 'offline' }, timeoutMs: 500, optional: true, say: 'Offline?' },
  ],
  judge: ([r]: readonly RunResult[]) => ((r.counters.lost ?? 0) > 0 ? { outcome: 'proved', why: `${r.counters.lost} lost` } : { outcome: 'not-reproduced', why: 'none lost' }),
};

describe('runExperiment', () => {
  it('builds the cluster and topic, runs the steps on the cluster clock, reads the log back and judges', async () => {
    const api = fakeApi(healthy());
    const kill = api.cluster.killBroker;
    api.cluster.killBroker = (id) => {
      kill(id);
      api.logs.get('t')!.pop(); // the acknowledged record the dead leader alone had
      api.description = fakeDescription({ brokers: 3, dead: [id], topics: { t: [{ leader: 3, isr: [1, 3] }] } });
    };
    const seen: RunProgress[] = [];
    const { results, verdict } = await runExperiment(api, tiny, { now: fastClock(), onProgress: (p) => seen.push(p) });
    expect(verdict).toEqual({ outcome: 'proved', why: '1 lost' });
    const [r] = results;
    expect(r.counters).toMatchObject({ acknowledged: 5, delivered: 4, lost: 1, duplicated: 0, lostValues: ['record-2'] });
    expect(r.waits).toEqual({ failover: true, offline: false });
    expect(r.marks.after.acknowledged).toBe(3);
    expect(r.faults).toEqual([expect.objectContaining({ say: 'Kill it', text: 'kill $old → broker 2', pendingSends: 0 })]);
    expect(api.calls.filter((c) => !c.startsWith('admin.'))).toEqual([
      'setVisualLatency 0',
      'reset {"brokers":3,"controllers":1,"demo":false}',
      'setSpeed 2',
      'createTopics [{"topic":"t","numPartitions":1,"replicationFactor":3,"configEntries":[{"name":"min.insync.replicas","value":"1"},{"name":"unclean.leader.election.enable","value":"true"}]}]',
      'killBroker 2',
      'setVisualLatency 0',
      'setVisualLatency 0',
      'setSpeed 1',
    ]);
    const last = seen.at(-1)!;
    expect(last.steps[0]).toEqual(['done', 'done', 'done', 'done', 'done', 'done', 'done', 'not-met']);
    // Lost is unknown until the log has been read.
    expect(seen.some((p) => p.counters[0]?.acknowledged === 3 && p.counters[0]?.lost === null)).toBe(true);
  });

  it('ends a run whose required wait never comes true, and says which', async () => {
    const api = fakeApi(healthy());
    const { results, verdict } = await runExperiment(api, tiny, { now: fastClock() });
    expect(results[0].error).toBe('A new leader: did not happen within 5 s of cluster time');
    expect(results[0].counters.lost).toBeNull();
    expect(verdict.outcome).toBe('not-reproduced');
  });

  it('stops when aborted, and puts the speed back', async () => {
    const api = fakeApi(healthy());
    const controller = new AbortController();
    const running = runExperiment(api, tiny, { now: () => 0, signal: controller.signal, onProgress: (p) => { if (p.steps[0][3] === 'running') controller.abort(); } });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.calls.at(-1)).toBe('setSpeed 1');
  });
});
