/**
 * Experiments as data: a cluster, one topic the experiment writes to, a producer's settings per
 * variant, and steps (produce, inject a fault, wait for a condition) with the sentence each one
 * shows. A pure `judge` turns the runs' books into a verdict on the claim.
 */
import type { StartConsumerOptions } from '../playground';
import type { ScenarioFault, ScenarioTopic } from '../scenario/scenario';
import type { Target } from '../scenario/targets';
import type { Election } from './tracker';
import type { Condition } from './conditions';
import type { Counters } from './ledger';

/** The page's producer the experiment counts acknowledgements of (a KafkaJS-shaped producer from api.kafka()). */
export interface ProbeConfig {
  acks: -1 | 0 | 1;
  idempotent?: boolean;
  /** KafkaJS retry.retries for each send (default 5 as KafkaJS). */
  retries?: number;
  /** KafkaJS requestTimeout (default 30000). */
  requestTimeout?: number;
}

/** A fault as a step makes it: a scenario fault without its time (it runs when its step comes). */
export type StepFault = ScenarioFault extends infer F ? F extends ScenarioFault ? Omit<F, 'atMs'> : never : never;

export type Step = {
  /** What the step does, in a sentence the panel shows. */
  say: string;
  /** Names the step for the judge (a wait that was met or not). */
  id?: string;
} & (
  | { do: 'produce'; count: number }
  | { do: 'produce-start'; everyMs: number }
  | { do: 'produce-stop' }
  /** One record sent without waiting for its answer (it may be retried across a failover). */
  | { do: 'send-in-background' }
  /** Waits until every background send has its answer or failed for good. */
  | { do: 'await-sends'; timeoutMs: number }
  /** `atMs`: when the fault comes in the shared scenario (a typical time after the start). */
  | { do: 'fault'; fault: StepFault; atMs: number }
  /**
   * Waits (on the cluster clock) until the condition holds. A required wait that times out ends
   * the run; an optional one is noted as not met (the judge may count on that: "stayed offline").
   */
  | { do: 'wait-for'; until: Condition; timeoutMs: number; optional?: boolean }
  | { do: 'wait'; ms: number }
  /** Remembers what a target is now ('leader:t/0' → 2), as `$name` for later steps. */
  | { do: 'remember'; name: string; target: Target }
  /** Notes the books now, for conditions and the judge to count from. */
  | { do: 'mark'; name: string }
  /** Per-hop latency (visual mode), to widen a window a fault must hit. */
  | { do: 'visual-latency'; ms: number }
  /** A consumer application in its own worker; its processed records are deliveries. */
  | { do: 'start-consumer'; as: string; options: StartConsumerOptions; atMs: number }
  /** An admin's CreateTopics (a metadata write the active controller must commit). */
  | { do: 'create-topic'; name: string }
);

export interface Variant {
  id: string;
  label: string;
  /** Topic configs on top of the experiment's. */
  topicConfigs?: Record<string, string>;
  probe: ProbeConfig;
}

export type Outcome = 'proved' | 'refuted' | 'not-reproduced';

export interface Verdict { outcome: Outcome; why: string }

export interface RunResult {
  variant: string;
  counters: Counters;
  /** Failed sends by Kafka error name. */
  errors: Record<string, number>;
  /** The books at each mark. */
  marks: Record<string, { acknowledged: number; errors: Record<string, number> }>;
  /** Waits by step id: met or not. */
  waits: Record<string, boolean>;
  /** Faults as they ran: cluster ms after the start, what they hit, sends in flight then. */
  faults: { say: string; atMs: number; text: string; pendingSends: number }[];
  elections: Election[];
  /** The run stopped early: why. */
  error?: string;
}

export interface Experiment {
  id: string;
  title: string;
  /** The one-line claim the run proves or refutes. */
  claim: string;
  /** What it shows, in real Kafka's terms (configs and defaults). */
  inKafka: string;
  cluster: { brokers: number; controllers: number };
  topic: ScenarioTopic;
  /** The cluster's speed during the run (timeouts pass faster; nothing else changes). */
  speed: number;
  /** How deliveries are counted: a reader going through the whole log at the end, or a consumer application. */
  delivery: 'read' | 'consumer';
  variants: Variant[];
  steps: Step[];
  judge(results: readonly RunResult[]): Verdict;
}
