import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../cluster/events';
import {
  KEPT_EVENTS, MAX_STEP_EVENTS, PROGRESS_KEY, StepRun, canGoNext, closeTutorial, emptyProgress, goBack, goNext, isLastStep, openTutorial,
  parseProgress, resetProgress, restartTutorial, serializeProgress, tutorialStatus, type Progress,
} from './engine';
import { emptyCluster, partition, topic, withTopics } from './fixtures';
import type { Step, Tutorial } from './types';

const step = (id: string, done: Step['done'] = () => false): Step => ({ id, title: id, text: id, waitingFor: id, done });
const tutorial = (id: string, steps: number, unavailable?: string): Tutorial => ({
  id, title: id, summary: id, steps: Array.from({ length: steps }, (_, i) => step(`s${i}`)), realKafka: { text: '', configs: [] }, unavailable,
});
const A = tutorial('a', 3);
const B = tutorial('b', 2);
const SOON = tutorial('soon', 0, 'not yet');
const ALL = [A, B, SOON];

const append = (node: string, topicName: string, p: number, records: number, replicated = false): ClusterEvent => ({
  type: 'log-append', time: 0, node, topic: topicName, partition: p, baseOffset: 0, lastOffset: records - 1, records, bytes: 10, leaderEpoch: 0, compression: 'none', replicated,
});

describe('progress', () => {
  it('is kept under the project\'s localStorage prefix', () => {
    expect(PROGRESS_KEY.startsWith('kafka-playground:')).toBe(true);
  });

  it('round-trips through its serialized form', () => {
    const progress: Progress = { current: 'a', tutorials: { a: { step: 1, reached: 2 }, b: { step: 0, reached: 1 } }, completed: ['b'] };
    expect(parseProgress(serializeProgress(progress), ALL)).toEqual(progress);
  });

  it('forgets what it cannot trust: nothing, bad JSON, wrong shapes', () => {
    for (const raw of [null, '', '{', '42', 'null', '"a"', '[]']) expect(parseProgress(raw, ALL)).toEqual(emptyProgress());
  });

  it('drops unknown or unavailable tutorials, clamps steps to the tutorial, keeps the step at or before the furthest reached', () => {
    const raw = JSON.stringify({
      current: 'gone',
      tutorials: { a: { step: 9, reached: 9 }, b: { step: 1, reached: 0 }, gone: { step: 1, reached: 1 }, soon: { step: 0, reached: 0 }, bad: { step: -1, reached: 'x' } },
      completed: ['a', 'a', 'gone', 'soon', 3],
    });
    expect(parseProgress(raw, ALL)).toEqual({ current: null, tutorials: { a: { step: 2, reached: 2 }, b: { step: 0, reached: 0 } }, completed: ['a'] });
  });
});

describe('stepping through a tutorial', () => {
  it('opens at the first step, or where it was left', () => {
    const opened = openTutorial(emptyProgress(), A);
    expect(opened.current).toBe('a');
    expect(opened.tutorials.a).toEqual({ step: 0, reached: 0 });
    const left = closeTutorial({ ...opened, tutorials: { a: { step: 2, reached: 2 } } });
    expect(left.current).toBeNull();
    expect(openTutorial(left, A).tutorials.a).toEqual({ step: 2, reached: 2 });
  });

  it('does not open a tutorial that is not available', () => {
    const progress = emptyProgress();
    expect(openTutorial(progress, SOON)).toBe(progress);
  });

  it('unlocks Next only once the step is done, and records the furthest step reached', () => {
    let p = openTutorial(emptyProgress(), A);
    expect(canGoNext(p, A, false)).toBe(false);
    expect(goNext(p, A, false)).toBe(p);
    p = goNext(p, A, true);
    expect(p.tutorials.a).toEqual({ step: 1, reached: 1 });
    p = goNext(p, A, true);
    expect(p.tutorials.a).toEqual({ step: 2, reached: 2 });
    expect(isLastStep(p, A)).toBe(true);
  });

  it('Back keeps what was reached, so Next is open again without waiting', () => {
    let p = goNext(goNext(openTutorial(emptyProgress(), A), A, true), A, true);
    p = goBack(goBack(p, A), A);
    expect(p.tutorials.a).toEqual({ step: 0, reached: 2 });
    expect(goBack(p, A)).toBe(p);
    expect(canGoNext(p, A, false)).toBe(true);
    p = goNext(goNext(p, A, false), A, false);
    expect(p.tutorials.a).toEqual({ step: 2, reached: 2 });
    // The furthest step still needs its condition.
    expect(canGoNext(p, A, false)).toBe(false);
  });

  it('finishing the last step completes the tutorial, returns to the list, and starts it over next time', () => {
    let p = openTutorial(emptyProgress(), B);
    p = goNext(goNext(p, B, true), B, true);
    expect(p.current).toBeNull();
    expect(p.completed).toEqual(['b']);
    expect(p.tutorials.b).toEqual({ step: 0, reached: 0 });
    expect(tutorialStatus(p, B)).toEqual({ kind: 'completed' });
    p = openTutorial(p, B);
    expect(tutorialStatus(p, B)).toEqual({ kind: 'in-progress', step: 0, of: 2, completed: true });
    p = goNext(goNext(p, B, true), B, true);
    expect(p.completed).toEqual(['b']);
  });

  it('says where each tutorial stands', () => {
    const p: Progress = { current: null, tutorials: { a: { step: 1, reached: 1 } }, completed: [] };
    expect(tutorialStatus(p, A)).toEqual({ kind: 'in-progress', step: 1, of: 3, completed: false });
    expect(tutorialStatus(p, B)).toEqual({ kind: 'not-started' });
    expect(tutorialStatus(p, SOON)).toEqual({ kind: 'unavailable', reason: 'not yet' });
  });

  it('starts over and resets', () => {
    const p: Progress = { current: null, tutorials: { a: { step: 2, reached: 2 } }, completed: ['b'] };
    expect(restartTutorial(p, A)).toEqual({ current: 'a', tutorials: { a: { step: 0, reached: 0 } }, completed: ['b'] });
    expect(resetProgress()).toEqual(emptyProgress());
  });
});

describe('StepRun', () => {
  it('evaluates the condition on the cluster now, the cluster when the step began, and the events since', () => {
    const start = withTopics(emptyCluster(), topic('t', [partition(0, { leo: 3 })]));
    const grown = (s: Step['done']) => { const run = new StepRun('a', 0, start); return { run, s: step('grow', s) }; };
    const { run, s } = grown(({ cluster, start: before, events }) =>
      cluster.topics[0].partitions[0].logEndOffset > before.topics[0].partitions[0].logEndOffset && events.some((e) => e.type === 'log-append'));
    expect(run.check(s, start)).toBe(false);
    const now = withTopics(emptyCluster(), topic('t', [partition(0, { leo: 5 })]));
    expect(run.check(s, now)).toBe(false);
    run.observe([append('broker-1', 't', 0, 2)]);
    expect(run.check(s, now)).toBe(true);
  });

  it('stays done once done, though the cluster moves on', () => {
    let holds = true;
    const run = new StepRun('a', 0, emptyCluster());
    const s = step('x', () => holds);
    expect(run.check(s, emptyCluster())).toBe(true);
    holds = false;
    expect(run.check(s, emptyCluster())).toBe(true);
  });

  it('keeps the events conditions use, not the message traffic, and at most MAX_STEP_EVENTS', () => {
    const run = new StepRun('a', 0, emptyCluster());
    const message: ClusterEvent = { type: 'message-sent', time: 0, id: 'x', from: 'client-1', to: 'broker-1', api: 'Fetch', kind: 'request', bytes: 1 };
    run.observe([message, append('broker-1', 't', 0, 1)]);
    expect(run.events.map((e) => e.type)).toEqual(['log-append']);
    expect(KEPT_EVENTS.has('message-delivered')).toBe(false);
    run.observe(Array.from({ length: MAX_STEP_EVENTS + 5 }, (_, i) => append('broker-1', 't', 0, i + 1)));
    expect(run.events.length).toBe(MAX_STEP_EVENTS);
    // The oldest went first.
    expect((run.events.at(-1) as Extract<ClusterEvent, { type: 'log-append' }>).records).toBe(MAX_STEP_EVENTS + 5);
  });

  it('reports a condition that throws, and is not done', () => {
    const run = new StepRun('a', 0, emptyCluster());
    expect(run.check(step('bad', () => { throw new Error('boom'); }), emptyCluster())).toBe(false);
    expect(run.error).toBe('boom');
  });
});
