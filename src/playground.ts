import { ClusterHost, ClusterLockedError, DEFAULT_SHAPE, type ClusterShape } from './cluster/clusterHost';
import type { ClusterEvent } from './cluster/events';
import type { Kafka, KafkaConfig } from './kafka/client/kafka';
import { createClusterStore, frameBatcher, type ClusterStore } from './store/clusterStore';
import { describeCluster, type ClusterDescription } from './store/selectors';
import { errorName, type ErrorName } from './kafka/protocol/errors';
import type { PartitionOptions } from './cluster/networkCut';
import type { StartConsumerOptions } from './runtime/clientRuntime';
import type { StartProducerOptions } from './runtime/producerApp';

export type { StartConsumerOptions } from './runtime/clientRuntime';
export type { StartProducerOptions } from './runtime/producerApp';

/** What kafka-leader-election.sh reports, per partition: elected, already led by its preferred replica, or failed. */
export interface PreferredElectionResult {
  /** The request's top-level error (CLUSTER_AUTHORIZATION_FAILED, ...), null when it was handled. */
  error: ErrorName | null;
  /** Leadership moved back to the preferred (first) replica. */
  elected: { topic: string; partition: number }[];
  /** ELECTION_NOT_NEEDED: the preferred replica already leads. */
  notNeeded: { topic: string; partition: number }[];
  /** PREFERRED_LEADER_NOT_AVAILABLE and other errors: the preferred replica is down or out of the ISR. */
  failed: { topic: string; partition: number; error: ErrorName; message: string | null }[];
}

export const DEMO_TOPIC = 'demo';
const SETTINGS_KEY = 'kafka-playground:settings';

interface Settings { shape: ClusterShape; demo: boolean }

/**
 * The settings the last reset saved. Their shape is kept, even one controller from an older
 * version, because IndexedDB holds that cluster's data (its quorum's voters); a reset starts over
 * with the defaults. A shape that is missing or malformed is replaced by the default.
 */
function loadSettings(): Settings {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (raw) {
      const saved = JSON.parse(raw) as Partial<Settings>;
      const count = (n: unknown, fallback: number) => (Number.isInteger(n) && (n as number) >= 1 ? (n as number) : fallback);
      const shape = { brokers: count(saved.shape?.brokers, DEFAULT_SHAPE.brokers), controllers: count(saved.shape?.controllers, DEFAULT_SHAPE.controllers) };
      return { shape, demo: saved.demo ?? true };
    }
  } catch {
    // Unreadable settings are replaced by the defaults.
  }
  return { shape: DEFAULT_SHAPE, demo: true };
}

export type PlaygroundStatus =
  | { kind: 'starting' }
  | { kind: 'running' }
  | { kind: 'locked' }
  | { kind: 'taken-over' }
  | { kind: 'failed'; message: string };

/**
 * The page's one cluster: the host that owns the workers, the store the UI reads, and
 * `window.playground`, the same API for scripts, tutorials and end-to-end tests.
 */
export class Playground {
  readonly store: ClusterStore = createClusterStore();
  readonly host: ClusterHost;
  private settings = loadSettings();
  private demoProducer: { stop: () => void } | null = null;
  private readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private statusListeners = new Set<(status: PlaygroundStatus) => void>();
  private eventListeners = new Set<(events: readonly ClusterEvent[]) => void>();
  status: PlaygroundStatus = { kind: 'starting' };
  readonly recentErrors: string[] = [];

  constructor(clusterName = 'default') {
    const apply = frameBatcher((events: ClusterEvent[]) => this.store.getState().apply(events));
    this.host = new ClusterHost(clusterName, (events) => {
      for (const listener of this.eventListeners) {
        try {
          listener(events);
        } catch (error) {
          // A script's listener never keeps events from the store.
          console.error(error);
        }
      }
      apply(events);
    });
    this.host.onTakenOver = () => {
      this.demoProducer?.stop();
      this.setStatus({ kind: 'taken-over' });
    };
    this.readyPromise = new Promise((resolve) => { this.resolveReady = resolve; });
  }

  get ready(): Promise<void> {
    return this.readyPromise;
  }

  onStatus(listener: (status: PlaygroundStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Every ClusterEvent as it arrives from the nodes and the host (before the store folds them),
   * for scripts and tests that need more than describe() keeps (each consumer-processed range).
   */
  onEvents(listener: (events: readonly ClusterEvent[]) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private setStatus(status: PlaygroundStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  async start(options: { takeOver?: boolean } = {}): Promise<void> {
    this.setStatus({ kind: 'starting' });
    try {
      await this.host.start(this.settings.shape, options);
    } catch (error) {
      if (error instanceof ClusterLockedError) return this.setStatus({ kind: 'locked' });
      this.setStatus({ kind: 'failed', message: String((error as Error).message ?? error) });
      throw error;
    }
    await this.waitUntilServing();
    this.setStatus({ kind: 'running' });
    if (this.settings.demo) await this.startDemo();
    this.resolveReady();
  }

  /** Every live broker registered and unfenced, as a client would need. */
  private async waitUntilServing(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = this.describe();
      const live = described.brokers.filter((b) => b.alive);
      if (live.length > 0 && live.every((b) => b.state === 'RUNNING' && !b.fenced) && described.activeController !== null) return;
      if (Date.now() > deadline) throw new Error(`cluster not ready after ${timeoutMs} ms: ${JSON.stringify(described.brokers)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe(): ClusterDescription {
    return describeCluster(this.store.getState());
  }

  kafka(config?: KafkaConfig): Kafka {
    return this.host.kafka(config);
  }

  /**
   * `kafka-leader-election.sh --election-type preferred --all-topic-partitions`: an ElectLeaders
   * request (electionType 0, every partition) to any broker, which forwards it to the controller.
   */
  async electPreferredLeaders(): Promise<PreferredElectionResult> {
    const timeoutMs = 5000;
    const response = await this.host.requestAnyBroker('ElectLeaders', { electionType: 0, topicPartitions: null, timeoutMs }, timeoutMs + 5000);
    const result: PreferredElectionResult = { error: response.errorCode === 0 ? null : errorName(response.errorCode), elected: [], notNeeded: [], failed: [] };
    for (const { topic, partitionResult } of response.replicaElectionResults) {
      for (const p of partitionResult) {
        const error = p.errorCode === 0 ? null : errorName(p.errorCode);
        if (error === null) result.elected.push({ topic, partition: p.partitionId });
        else if (error === 'ELECTION_NOT_NEEDED') result.notNeeded.push({ topic, partition: p.partitionId });
        else result.failed.push({ topic, partition: p.partitionId, error, message: p.errorMessage });
      }
    }
    return result;
  }

  /**
   * A consumer application in its own Web Worker, in group `groupId`, reading `topics`
   * (from the beginning unless `fromBeginning: false`). Resolves with its id, e.g. 'consumer-1',
   * once it is connected and subscribed; it joins the group in the background. Bad options
   * are refused with an error naming the problem.
   */
  startConsumer(options: StartConsumerOptions): Promise<string> {
    return this.host.startConsumer(options);
  }

  /**
   * A producer application in its own Web Worker, sending `ratePerSec` records a second of
   * cluster time to `topic` with the given keys, acks, idempotence, linger.ms, batch.size and
   * compression. Resolves with its id, e.g. 'producer-1', once it is connected. Bad options are
   * refused with an error naming the problem.
   */
  startProducer(options: StartProducerOptions): Promise<string> {
    return this.host.startProducer(options);
  }

  /** Stops a client application cleanly (a consumer commits and leaves its group; a producer finishes its sends); its worker ends. */
  stopClient(id: string): Promise<void> {
    return this.host.stopClient(id);
  }

  /** Crashes a client application (worker.terminate()): its group notices after session.timeout.ms. */
  killClient(id: string): void {
    this.host.killClient(id);
  }

  /** The demo: a topic and a slow keyed producer, so a first visit shows something alive. */
  private async startDemo(): Promise<void> {
    const kafka = this.kafka({ clientId: 'demo-producer' });
    const admin = kafka.admin();
    await admin.connect();
    if (!(await admin.listTopics()).includes(DEMO_TOPIC)) {
      const replicationFactor = Math.min(3, this.settings.shape.brokers);
      // Kafka's recommended durability: acks=all with min.insync.replicas = RF - 1.
      const configEntries = replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [];
      await admin.createTopics({ topics: [{ topic: DEMO_TOPIC, numPartitions: 3, replicationFactor, configEntries }] }).catch(() => false);
    }
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    let stopped = false;
    let n = 0;
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const tick = async () => {
      while (!stopped) {
        const key = keys[n % keys.length];
        await producer.send({ topic: DEMO_TOPIC, acks: -1, messages: [{ key, value: JSON.stringify({ user: key, clicks: ++n }) }] })
          .catch((error: Error) => this.noteError(`demo producer: ${error.message}`));
        // On the cluster clock: the demo slows down, speeds up and pauses with it.
        await new Promise<void>((resolve) => this.host.setTimer(1500, resolve));
      }
    };
    void tick();
    this.demoProducer = { stop: () => { stopped = true; void producer.disconnect().catch(() => undefined); } };
  }

  private noteError(message: string): void {
    this.recentErrors.push(message);
    if (this.recentErrors.length > 20) this.recentErrors.shift();
  }

  /**
   * `cluster.reset`: wipe all IndexedDB data and start fresh, with the default shape (3 brokers,
   * 3 controllers) unless told otherwise. The shape is saved, and the next visit starts with it:
   * a saved shape stays honoured because the data on disk was written by that many nodes.
   */
  async reset(options: { brokers?: number; controllers?: number; demo?: boolean } = {}): Promise<void> {
    this.demoProducer?.stop();
    this.demoProducer = null;
    this.settings = {
      shape: { brokers: options.brokers ?? DEFAULT_SHAPE.brokers, controllers: options.controllers ?? DEFAULT_SHAPE.controllers },
      demo: options.demo ?? true,
    };
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    await this.host.reset(this.settings.shape);
    await this.waitUntilServing();
    if (this.settings.demo) await this.startDemo();
  }

  /** The object scripts and tests see as `window.playground`. */
  api() {
    const host = this.host;
    return {
      ready: this.ready,
      kafka: (config?: KafkaConfig) => this.kafka(config),
      cluster: {
        describe: () => this.describe(),
        reset: (options?: { brokers?: number; controllers?: number; demo?: boolean }) => this.reset(options),
        killBroker: (id: number) => host.killBroker(id),
        restartBroker: (id: number) => host.restartBroker(id),
        killController: (id: number) => host.killController(id),
        restartController: (id: number) => host.restartController(id),
        /**
         * Time. Every Kafka timeout runs on the cluster clock: setSpeed(0.25) makes a 10 s
         * session.timeout.ms take 40 s of wall time. pause() stops the clock and holds every
         * message where it arrives; step() delivers the oldest held one (or, none held, moves
         * the clock 50 ms); resume() plays on. setVisualLatency(ms) adds ms of cluster time to
         * every hop (0: off), so a record can be followed by eye.
         */
        setSpeed: (speed: number) => host.setSpeed(speed),
        speed: () => host.speed,
        /** The cluster clock (ms): every event's time and every Kafka timeout are on it; it stops while paused. */
        now: () => host.now(),
        pause: () => host.pause(),
        resume: () => host.resume(),
        step: () => host.step(),
        isPaused: () => host.isPaused(),
        setVisualLatency: (ms: number) => host.setVisualLatency(ms),
        visualLatency: () => host.visualLatency,
        /** Messages held now (while paused, or waiting out the visual latency), everywhere. */
        heldMessages: () => host.heldMessages(),
        electPreferredLeaders: () => this.electPreferredLeaders(),
        /**
         * Network partitions, dropped at the transport both ways between nodes (ids: brokers 1..n,
         * controllers 1000+). The page's clients sit on one side: the largest, or `clientsWith`'s.
         */
        isolate: (nodeId: number, options?: PartitionOptions) => host.isolate(nodeId, options),
        partition: (groups: number[][], options?: PartitionOptions) => host.partition(groups, options),
        heal: () => host.heal(),
        network: () => host.network(),
        /** Client applications, each in its own Web Worker: start one, stop it cleanly, or crash it. */
        startConsumer: (options: StartConsumerOptions) => this.startConsumer(options),
        startProducer: (options: StartProducerOptions) => this.startProducer(options),
        stopClient: (id: string) => this.stopClient(id),
        killClient: (id: string) => this.killClient(id),
        /** Every ClusterEvent as it arrives; returns a function that unsubscribes. */
        onEvents: (listener: (events: readonly ClusterEvent[]) => void) => this.onEvents(listener),
      },
      store: this.store,
    };
  }
}

export type PlaygroundApi = ReturnType<Playground['api']>;

declare global {
  interface Window { playground: PlaygroundApi }
}
