/**
 * Runs an experiment through window.playground's API, variant after variant: a fresh cluster
 * of its shape, its topic, the page's probe producer, then its steps; at the end a reader goes
 * through the whole log (or the consumer applications' deliveries count), and the books go to
 * the experiment's judge. UI-independent: the panel and the tests call it with the API.
 */
import type { ClusterEvent } from '../cluster/events';
import { createTopics, runFault, withAdmin, type FaultContext, type ScenarioApi } from '../scenario/apply';
import { clusterClock, type ClusterClock } from '../scenario/clock';
import type { ScenarioFault } from '../scenario/scenario';
import { resolveClient, resolveNode } from '../scenario/targets';
import { holds, type ConditionState } from './conditions';
import { Ledger, type Counters } from './ledger';
import type { Experiment, RunResult, Step, Variant, Verdict } from './model';
import { ProbeProducer, readLog } from './probe';
import { EventTracker } from './tracker';

/** What the runner needs beyond building a scenario: visual latency, to widen a window. */
export interface ExperimentApi extends ScenarioApi {
  cluster: ScenarioApi['cluster'] & { setVisualLatency(ms: number): void };
}

export type StepStatus = 'pending' | 'running' | 'done' | 'not-met' | 'failed';

/** The live state of a run, for the panel: which variant and step, the counters so far. */
export interface RunProgress {
  variant: number;
  /** Per variant, per step. */
  steps: StepStatus[][];
  /** Per variant: counters (lost is null until the log has been read). */
  counters: (Counters | null)[];
  /** What is happening now, in a sentence. */
  now: string;
  results: RunResult[];
  verdict: Verdict | null;
}

export interface RunOptions {
  onProgress?: (progress: RunProgress) => void;
  signal?: AbortSignal;
  /** The cluster clock (the page passes playground.host.now); estimated from events otherwise. */
  now?: () => number;
  /** Run only these variants (by id); default all. */
  variants?: string[];
}

/** Runs every variant of `experiment` in turn and judges the claim. */
export async function runExperiment(api: ExperimentApi, experiment: Experiment, options: RunOptions = {}): Promise<{ results: RunResult[]; verdict: Verdict }> {
  const variants = experiment.variants.filter((v) => !options.variants || options.variants.includes(v.id));
  const progress: RunProgress = {
    variant: 0,
    steps: variants.map(() => experiment.steps.map((): StepStatus => 'pending')),
    counters: variants.map(() => null),
    now: 'Starting',
    results: [],
    verdict: null,
  };
  const report = () => options.onProgress?.({ ...progress, steps: progress.steps.map((s) => [...s]), counters: [...progress.counters], results: [...progress.results] });
  const speedBefore = api.cluster.speed();
  try {
    for (const [index, variant] of variants.entries()) {
      progress.variant = index;
      const result = await runVariant(api, experiment, variant, {
        ...options,
        onStep: (step, status) => { progress.steps[index][step] = status; report(); },
        onCounters: (counters) => { progress.counters[index] = counters; report(); },
        onNow: (text) => { progress.now = text; report(); },
      });
      progress.results.push(result);
      progress.counters[index] = result.counters;
      report();
    }
  } finally {
    try {
      api.cluster.setVisualLatency(0);
      api.cluster.setSpeed(speedBefore);
    } catch {
      // The cluster is being reset or taken over: nothing to restore.
    }
  }
  const verdict = experiment.judge(progress.results);
  progress.verdict = verdict;
  progress.now = 'Done';
  report();
  return { results: progress.results, verdict };
}

interface VariantHooks {
  signal?: AbortSignal;
  now?: () => number;
  onStep(step: number, status: StepStatus): void;
  onCounters(counters: Counters): void;
  onNow(text: string): void;
}

/** The experiment's topic with the variant's configs on top. */
export function variantTopic(experiment: Experiment, variant: Variant) {
  return { ...experiment.topic, configs: { ...experiment.topic.configs, ...variant.topicConfigs } };
}

async function runVariant(api: ExperimentApi, experiment: Experiment, variant: Variant, hooks: VariantHooks): Promise<RunResult> {
  const { signal } = hooks;
  const topic = variantTopic(experiment, variant);
  // Each run starts on a fresh cluster, so the values need only be unique within it.
  const ledger = new Ledger('record');
  const tracker = new EventTracker(topic.name);
  const clock: ClusterClock = clusterClock(api, hooks.now);
  const refs = new Map<string, number | string>();
  const context: FaultContext = { refs, clientIds: [] };
  const marks = new Map<string, { acknowledged: number; errors: Record<string, number> }>();
  const waits: Record<string, boolean> = {};
  const faults: RunResult['faults'] = [];
  const consumers: string[] = [];
  let counted = 0;
  const publish = () => hooks.onCounters(ledger.counters());
  const probe = new ProbeProducer(api, topic.name, variant.probe, ledger, publish);
  // Deliveries of the consumer applications, as they report them.
  const unsubscribe = api.cluster.onEvents((events: readonly ClusterEvent[]) => {
    tracker.apply(events);
    for (const event of events) {
      if (event.type === 'consumer-processed' && event.topic === topic.name && consumers.includes(event.node)) {
        for (let offset = event.firstOffset; offset <= event.lastOffset; offset++) ledger.deliverOffset(event.partition, offset);
        counted++;
      }
    }
    if (counted > 0) {
      counted = 0;
      publish();
    }
  });
  const state = (): ConditionState => ({ topic: topic.name, description: api.cluster.describe(), refs, ledger, tracker, marks });
  let start = clock.now();
  let error: string | undefined;
  try {
    hooks.onNow(`${variant.label}: starting a fresh cluster of ${experiment.cluster.brokers} brokers and ${experiment.cluster.controllers} controller${experiment.cluster.controllers === 1 ? '' : 's'}`);
    api.cluster.setVisualLatency(0);
    await api.cluster.reset({ ...experiment.cluster, demo: false });
    api.cluster.setSpeed(experiment.speed);
    signal?.throwIfAborted();
    hooks.onNow(`${variant.label}: creating ${topic.name}`);
    await createTopics(api, [topic], signal);
    await probe.connect(`experiment-${experiment.id}`);
    start = clock.now();
    for (const [index, step] of experiment.steps.entries()) {
      signal?.throwIfAborted();
      hooks.onStep(index, 'running');
      hooks.onNow(`${variant.label}: ${step.say}`);
      const status = await runStep(step);
      hooks.onStep(index, status);
      if (status === 'failed') break;
    }
    await probe.stopLoop();
    if (!error) {
      hooks.onNow(`${variant.label}: waiting for the producer's last answers`);
      await probe.settle(clock, 30_000, signal);
      if (experiment.delivery === 'read') {
        hooks.onNow(`${variant.label}: reading ${topic.name} from the beginning`);
        ledger.readAll(await readLog(api, topic.name, topic.partitions, clock, { signal }));
      }
    }
  } catch (caught) {
    if ((caught as Error)?.name === 'AbortError') throw caught;
    error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    unsubscribe();
    clock.dispose();
    api.cluster.setVisualLatency(0);
    await probe.disconnect();
  }
  const counters = ledger.counters({ lostKnown: !error });
  hooks.onCounters(counters);
  return {
    variant: variant.id, counters, errors: { ...ledger.errors }, marks: Object.fromEntries(marks), waits, faults,
    elections: [...tracker.elections],
    ...(error ? { error } : {}),
  };


  async function runStep(step: Step): Promise<'done' | 'not-met' | 'failed'> {
    try {
      switch (step.do) {
        case 'produce': await probe.produce(step.count, signal); break;
        case 'produce-start': probe.startLoop(step.everyMs, clock, signal); break;
        case 'produce-stop': await probe.stopLoop(); break;
        case 'send-in-background': void probe.send(); break;
        case 'await-sends':
          if (!(await probe.settle(clock, step.timeoutMs, signal))) throw new Error(`a send still had no answer after ${step.timeoutMs / 1000} s`);
          break;
        case 'fault': {
          const pendingSends = probe.inFlight;
          const at = Math.round(clock.now() - start);
          const text = await runFault(api, { ...step.fault, atMs: 0 } as ScenarioFault, context);
          faults.push({ say: step.say, atMs: at, text, pendingSends });
          break;
        }
        case 'wait-for': {
          const met = await clock.until(() => holds(step.until, state()), step.timeoutMs, signal);
          if (step.id) waits[step.id] = met;
          if (!met) {
            if (step.optional) return 'not-met';
            throw new Error(`did not happen within ${step.timeoutMs / 1000} s of cluster time`);
          }
          break;
        }
        case 'wait': await clock.sleep(step.ms, signal); break;
        case 'remember': {
          const target = step.target;
          refs.set(step.name, typeof target === 'string' && target.startsWith('client:')
            ? resolveClient(target, context.clientIds, refs)
            : resolveNode(target, api.cluster.describe(), refs));
          break;
        }
        case 'mark': marks.set(step.name, { acknowledged: ledger.acknowledged, errors: { ...ledger.errors } }); break;
        case 'visual-latency': api.cluster.setVisualLatency(step.ms); break;
        case 'start-consumer': {
          const id = await api.cluster.startConsumer(step.options);
          consumers.push(id);
          refs.set(step.as, id);
          (context.clientIds as string[]).push(id);
          break;
        }
        case 'create-topic': {
          await withAdmin(api.kafka({ clientId: 'experiment-admin' }).admin(),
            (admin) => admin.createTopics({ topics: [{ topic: step.name, numPartitions: 1, replicationFactor: Math.min(3, experiment.cluster.brokers) }] }));
          if (step.id) waits[step.id] = true;
          break;
        }
      }
      return 'done';
    } catch (caught) {
      if ((caught as Error)?.name === 'AbortError') throw caught;
      error = `${step.say}: ${caught instanceof Error ? caught.message : String(caught)}`;
      if (step.id) waits[step.id] = false;
      return 'failed';
    }
  }
}
