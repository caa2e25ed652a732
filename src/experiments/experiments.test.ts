import { describe, expect, it } from 'vitest';
import { decodeScenario, encodeScenario } from '../scenario/codec';
import { validateScenario } from '../scenario/scenario';
import { EXPERIMENTS, experimentById } from './experiments';
import type { Counters } from './ledger';
import type { RunResult } from './model';
import { experimentScenario } from './share';

const counters = (over: Partial<Counters> = {}): Counters => ({
  acknowledged: 40, failed: 0, delivered: 40, lost: 0, duplicated: 0, reprocessed: 0, lostValues: [], duplicatedValues: [], ...over,
});

const result = (over: Partial<RunResult> = {}): RunResult => ({
  variant: 'all', counters: counters(), errors: {}, marks: {}, waits: {}, faults: [], elections: [], ...over,
});

describe('the experiments as data', () => {
  it('each has a claim, steps whose $names are remembered first, and a shareable scenario that survives a link', async () => {
    expect(EXPERIMENTS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(EXPERIMENTS.map((e) => e.id)).size).toBe(EXPERIMENTS.length);
    for (const experiment of EXPERIMENTS) {
      expect(experiment.claim).toMatch(/\.$/);
      const known = new Set<string>();
      for (const step of experiment.steps) {
        const used = JSON.stringify(step).match(/"\$(\w+)"|"(?:ref|not|since)":"(\w+)"/g) ?? [];
        for (const use of used) {
          const name = /"\$?(\w+)"$/.exec(use)![1];
          if (use.includes('"since"')) continue; // marks, checked below
          expect(known.has(name), `${experiment.id}: "${name}" used before it is remembered in "${step.say}"`).toBe(true);
        }
        if (step.do === 'remember') known.add(step.name);
        if (step.do === 'start-consumer') known.add(step.as);
        if (step.do === 'mark') known.add(step.name);
      }
      for (const variant of experiment.variants) {
        const scenario = experimentScenario(experiment, variant);
        expect(validateScenario(scenario)).toEqual(scenario);
        expect(scenario.topics[0]).toMatchObject({ name: experiment.topic.name, replicationFactor: experiment.topic.replicationFactor });
        expect(scenario.clients[0]).toMatchObject({ kind: 'producer', acks: variant.probe.acks });
        expect(await decodeScenario(await encodeScenario(scenario))).toEqual(scenario);
      }
    }
  });

  it('writes remembered targets as roles in the shared scenario, defining them with "as" where the fault allows', () => {
    const shared = experimentScenario(experimentById('acks1-leader-loss')!);
    expect(shared.faults.map((f) => ({ ...f, atMs: undefined }))).toEqual([
      { atMs: undefined, action: 'isolate', target: 'leader:acks1-loss/0', clientsWith: 'leader:acks1-loss/0', as: 'old' },
      { atMs: undefined, action: 'killBroker', target: '$old' },
      { atMs: undefined, action: 'heal' },
      { atMs: undefined, action: 'restartBroker', target: '$old' },
    ]);
    const unclean = experimentById('unclean-election')!;
    expect(experimentScenario(unclean, unclean.variants[1]).topics[0].configs).toEqual({ 'min.insync.replicas': '1', 'unclean.leader.election.enable': 'false' });
    const crash = experimentScenario(experimentById('consumer-crash')!);
    expect(crash.clients.map((c) => c.kind)).toEqual(['producer', 'consumer', 'consumer']);
    expect(crash.faults).toEqual([{ atMs: 8000, action: 'killClient', target: 'client:1' }]);
  });
});

describe('the judges', () => {
  it('acks=1: proved only when acknowledged records were actually lost', () => {
    const judge = experimentById('acks1-leader-loss')!.judge;
    expect(judge([result({ counters: counters({ lost: 20, lostValues: ['a-10', 'a-11'] }) })])).toMatchObject({ outcome: 'proved', why: expect.stringContaining('20 acknowledged records never delivered') });
    expect(judge([result()]).outcome).toBe('not-reproduced');
    expect(judge([result({ error: 'boom' })])).toEqual({ outcome: 'not-reproduced', why: 'The run stopped early: boom' });
  });

  it('acks=all with min.insync.replicas=2: refuted by any loss, proved with both phases seen', () => {
    const judge = experimentById('acks-all-min-isr')!.judge;
    const seen = { waits: { 'writes-go-on': true, refused: true }, errors: { NOT_ENOUGH_REPLICAS: 3 }, marks: { 'one-down': { acknowledged: 20, errors: {} } } };
    expect(judge([result(seen)]).outcome).toBe('proved');
    expect(judge([result({ ...seen, counters: counters({ lost: 1, lostValues: ['x'] }) })]).outcome).toBe('refuted');
    expect(judge([result({ ...seen, waits: { 'writes-go-on': true, refused: false } })]).outcome).toBe('not-reproduced');
  });

  it('unclean election: needs the loss with it on and none (and an offline wait) with it off', () => {
    const judge = experimentById('unclean-election')!.judge;
    const on = result({ variant: 'on', waits: { 'out-of-sync-leads': true }, elections: [{ time: 0, topic: 'unclean', partition: 0, kind: 'unclean', leader: 2, previousLeader: -1, leaderEpoch: 3 }], counters: counters({ lost: 10, lostValues: ['u-5'] }) });
    const off = result({ variant: 'off', waits: { 'out-of-sync-leads': false } });
    expect(judge([on, off]).outcome).toBe('proved');
    expect(judge([on, result({ variant: 'off', waits: { 'out-of-sync-leads': true } })]).outcome).toBe('refuted');
    expect(judge([result({ variant: 'on', waits: { 'out-of-sync-leads': false } }), off]).outcome).toBe('not-reproduced');
    expect(judge([off]).outcome).toBe('proved');
  });

  it('idempotence: duplicates without it, none with it, and only when a send was in flight at the kill', () => {
    const judge = experimentById('idempotence-failover')!.judge;
    const kill = [{ say: 'Kill', atMs: 1000, text: 'kill the leader → broker 1', pendingSends: 1 }];
    const off = result({ variant: 'off', faults: kill, counters: counters({ duplicated: 1, duplicatedValues: ['i-5'] }) });
    const on = result({ variant: 'on', faults: kill });
    expect(judge([off, on]).outcome).toBe('proved');
    expect(judge([off, { ...on, counters: counters({ duplicated: 1 }) }]).outcome).toBe('refuted');
    expect(judge([result({ variant: 'off', faults: kill }), on]).outcome).toBe('not-reproduced');
    expect(judge([off, result({ variant: 'on', faults: [{ ...kill[0], pendingSends: 0 }] })]).outcome).toBe('not-reproduced');
  });

  it('consumer crash: reprocessing proves it, a skipped record refutes it', () => {
    const judge = experimentById('consumer-crash')!.judge;
    expect(judge([result({ counters: counters({ reprocessed: 6 }) })]).outcome).toBe('proved');
    expect(judge([result({ counters: counters({ reprocessed: 6, lost: 2, lostValues: ['c-1'] }) })]).outcome).toBe('refuted');
    expect(judge([result()]).outcome).toBe('not-reproduced');
  });

  it('controllers: every part of the claim must be seen', () => {
    const killed = experimentById('controller-killed')!.judge;
    expect(killed([result({ waits: { elected: true, 'writes-go-on': true, metadata: true } })]).outcome).toBe('proved');
    expect(killed([result({ waits: { elected: true, 'writes-go-on': false, metadata: true } })]).outcome).toBe('not-reproduced');
    const split = experimentById('quorum-split')!.judge;
    expect(split([result({ waits: { elected: true, resigned: true, 'writes-go-on': true, follows: true } })]).outcome).toBe('proved');
    expect(split([result({ waits: { elected: true, resigned: true, 'writes-go-on': true, follows: true }, counters: counters({ lost: 1 }) })]).outcome).toBe('refuted');
  });
});
