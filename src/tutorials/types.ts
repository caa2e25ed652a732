/**
 * Tutorials as data: each a list of steps, each step with plain text, an action the learner
 * takes (or lets the playground take for them, through the same API scripts use) and a
 * condition checked on the live cluster, which unlocks the next step.
 */
import type { ClusterEvent } from '../cluster/events';
import type { PartitionOptions } from '../cluster/networkCut';
import type { Kafka, KafkaConfig } from '../kafka/client/kafka';
import type { StartConsumerOptions } from '../runtime/clientRuntime';
import type { StartProducerOptions } from '../runtime/producerApp';
import type { ClusterDescription } from '../store/selectors';

/**
 * The part of `window.playground` the tutorials' actions use. The browser's PlaygroundApi is
 * one; the tests drive the same actions through a SimCluster that offers the same calls.
 */
export interface TutorialApi {
  kafka(config?: KafkaConfig): Kafka;
  cluster: {
    describe(): ClusterDescription;
    killBroker(id: number): void;
    restartBroker(id: number): Promise<void>;
    killController(id: number): void;
    restartController(id: number): Promise<void>;
    isolate(nodeId: number, options?: PartitionOptions): unknown;
    heal(): unknown;
    startConsumer(options: StartConsumerOptions): Promise<string>;
    startProducer(options: StartProducerOptions): Promise<string>;
    stopClient(id: string): Promise<void>;
    killClient(id: string): void;
  };
}

/** Help an action gets beside the API: waiting, on the cluster's state, for what it needs next. */
export interface ActionTools {
  /** Resolves once `check` holds on describe(); rejects naming `what` after `timeoutMs` (default 60 s). */
  until(what: string, check: (cluster: ClusterDescription) => boolean, timeoutMs?: number): Promise<void>;
}

/** What a step's condition sees: the cluster now and when the step began, and the events since. */
export interface StepContext {
  cluster: ClusterDescription;
  start: ClusterDescription;
  /** The events since the step began, in arrival order (without the message traffic: see KEPT_EVENTS). */
  events: readonly ClusterEvent[];
}

export type ActionKind = 'button' | 'create' | 'produce' | 'consume' | 'kill' | 'restart' | 'setting' | 'network' | 'stop';

export interface StepAction {
  kind: ActionKind;
  /** What the learner does, in a few words ("Kill the leader of tutorial-failover-0"). */
  label: string;
  /** "Do it for me": the same action through the real API, on the real cluster. */
  run?: (api: TutorialApi, tools: ActionTools) => Promise<void>;
}

export interface Step {
  id: string;
  title: string;
  /** Short, plain words, with Kafka's names. Paragraphs are separated by blank lines. */
  text: string;
  action?: StepAction;
  /** What the condition waits for, as the panel says it ("a new leader with a higher leader epoch"). */
  waitingFor: string;
  /** Checked on the live cluster; the next step unlocks once it has held. */
  done: (ctx: StepContext) => boolean;
}

export interface RealKafkaConfig {
  name: string;
  /** Kafka's default, as its documentation gives it. */
  default: string;
  note: string;
}

export interface Tutorial {
  id: string;
  title: string;
  summary: string;
  steps: Step[];
  /** "What you just saw, in real Kafka". */
  realKafka: { text: string; configs: RealKafkaConfig[] };
  /** Listed, but not yet runnable here: why. */
  unavailable?: string;
}
