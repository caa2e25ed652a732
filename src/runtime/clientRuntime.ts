import * as Comlink from 'comlink';
import { DEFAULT_BROKER_CONFIG, brokerAddress } from '../kafka/config';
import type { Clock, TimerHandle } from '../kafka/ports';
import { validateTopicName } from '../kafka/controller/topicValidation';
import { Kafka } from '../kafka/client/kafka';
import { CONSUMER_EVENTS, type Consumer } from '../kafka/client/consumer';
import { ASSIGNORS, KAFKAJS_DEFAULT_ASSIGNOR, type Assignor } from '../kafka/group/assignors';
import type { ClusterEvent } from '../cluster/events';
import { eventBatcher } from './eventBatcher';
import type { TimeAnchor } from './scaledClock';
import { workerWiring, type WorkerWiringApi } from './workerWiring';
import { ProducerApp, type ProducerAppOptions } from './producerApp';

/**
 * The partition.assignment.strategy names a playground consumer may vote with in JoinGroup:
 * KafkaJS's 'RoundRobinAssigner' (its default) and the Java client's 'range', 'roundrobin',
 * 'sticky' and 'cooperative-sticky'.
 */
export const CONSUMER_ASSIGNORS: readonly string[] = [...ASSIGNORS.keys()];

/** What `cluster.startConsumer(options)` takes: a consumer application in its own Web Worker. */
export interface StartConsumerOptions {
  groupId: string;
  topics: string[];
  /**
   * Where a partition with no committed offset starts (auto.offset.reset earliest/latest).
   * Default TRUE here, unlike KafkaJS's false: an application started on a topic shows the
   * records already in it, which is what one starts it to see.
   */
  fromBeginning?: boolean;
  /** session.timeout.ms, default 30000 (KafkaJS); the coordinator accepts 6000..1800000. */
  sessionTimeout?: number;
  /** heartbeat.interval.ms, default 3000 (KafkaJS); below sessionTimeout. */
  heartbeatInterval?: number;
  /** rebalance.timeout.ms (max.poll.interval.ms in Java), default 60000 (KafkaJS). */
  rebalanceTimeout?: number;
  /** Protocol names in order of preference; default ['RoundRobinAssigner'], KafkaJS's default. */
  assignors?: string[];
  /** enable.auto.commit, default true. */
  autoCommit?: boolean;
  /** auto.commit.interval.ms, default 5000 (KafkaJS). */
  autoCommitInterval?: number;
  /** Cluster milliseconds the application spends on each record (0: none), so lag can build up. */
  processingDelayMs?: number;
  /** client.id; default the application's id (e.g. 'consumer-1'). */
  clientId?: string;
}

/** StartConsumerOptions checked, with every default filled in. */
export type ConsumerAppOptions = Required<Omit<StartConsumerOptions, 'clientId'>> & { clientId?: string };

// The playground's brokers run with these: outside them JoinGroup fails with
// INVALID_SESSION_TIMEOUT, so say so before starting.
const MIN_SESSION_TIMEOUT_MS = DEFAULT_BROKER_CONFIG['group.min.session.timeout.ms'];
const MAX_SESSION_TIMEOUT_MS = DEFAULT_BROKER_CONFIG['group.max.session.timeout.ms'];

const OPTION_NAMES: readonly (keyof StartConsumerOptions)[] = ['groupId', 'topics', 'fromBeginning', 'sessionTimeout', 'heartbeatInterval', 'rebalanceTimeout', 'assignors', 'autoCommit', 'autoCommitInterval', 'processingDelayMs', 'clientId'];

function fail(message: string): never {
  throw new Error(`startConsumer: ${message}`);
}

/** Checks startConsumer's options, naming the first problem, and fills in the defaults. */
export function consumerAppOptions(raw: unknown): ConsumerAppOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('options must be an object like { groupId: "my-group", topics: ["demo"] }');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_NAMES.includes(key as keyof StartConsumerOptions)) fail(`unknown option "${key}" (known: ${OPTION_NAMES.join(', ')})`);
  }
  if (typeof o.groupId !== 'string' || o.groupId.length === 0) fail('groupId must be a non-empty string');
  if (!Array.isArray(o.topics) || o.topics.length === 0) fail('topics must be a non-empty array of topic names');
  for (const topic of o.topics as unknown[]) {
    if (typeof topic !== 'string') fail(`topics must be strings, got ${JSON.stringify(topic)}`);
    try {
      validateTopicName(topic as string);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  const bool = (key: keyof StartConsumerOptions, fallback: boolean): boolean => {
    if (o[key] === undefined) return fallback;
    if (typeof o[key] !== 'boolean') fail(`${key} must be true or false, got ${JSON.stringify(o[key])}`);
    return o[key] as boolean;
  };
  const ms = (key: keyof StartConsumerOptions, fallback: number, min: number): number => {
    const value = o[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(`${key} must be an integer number of milliseconds >= ${min}, got ${JSON.stringify(o[key])}`);
    return value as number;
  };
  const sessionTimeout = ms('sessionTimeout', 30_000, 1);
  if (sessionTimeout < MIN_SESSION_TIMEOUT_MS || sessionTimeout > MAX_SESSION_TIMEOUT_MS) {
    fail(`sessionTimeout ${sessionTimeout} is outside the coordinator's group.min.session.timeout.ms (${MIN_SESSION_TIMEOUT_MS}) .. group.max.session.timeout.ms (${MAX_SESSION_TIMEOUT_MS}); JoinGroup would fail with INVALID_SESSION_TIMEOUT`);
  }
  const heartbeatInterval = ms('heartbeatInterval', 3000, 1);
  if (heartbeatInterval >= sessionTimeout) fail(`heartbeatInterval (${heartbeatInterval}) must be lower than sessionTimeout (${sessionTimeout}), so several heartbeats fit in one session`);
  let assignors = [KAFKAJS_DEFAULT_ASSIGNOR];
  if (o.assignors !== undefined) {
    if (!Array.isArray(o.assignors) || o.assignors.length === 0) fail(`assignors must be a non-empty array of: ${CONSUMER_ASSIGNORS.join(', ')}`);
    for (const name of o.assignors as unknown[]) {
      if (typeof name !== 'string' || !ASSIGNORS.has(name)) fail(`unknown assignor ${JSON.stringify(name)} (known: ${CONSUMER_ASSIGNORS.join(', ')})`);
    }
    if (new Set(o.assignors).size !== o.assignors.length) fail('assignors must not repeat a name');
    assignors = [...(o.assignors as string[])];
  }
  if (o.clientId !== undefined && (typeof o.clientId !== 'string' || o.clientId.length === 0)) fail('clientId must be a non-empty string');
  const processingDelayMs = o.processingDelayMs ?? 0;
  if (typeof processingDelayMs !== 'number' || !Number.isFinite(processingDelayMs) || processingDelayMs < 0) {
    fail(`processingDelayMs must be a number of milliseconds >= 0, got ${JSON.stringify(o.processingDelayMs)}`);
  }
  return {
    groupId: o.groupId as string,
    topics: [...new Set(o.topics as string[])],
    fromBeginning: bool('fromBeginning', true),
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: ms('rebalanceTimeout', 60_000, 1),
    assignors,
    autoCommit: bool('autoCommit', true),
    autoCommitInterval: ms('autoCommitInterval', 5000, 1),
    processingDelayMs: processingDelayMs as number,
    ...(o.clientId !== undefined ? { clientId: o.clientId as string } : {}),
  };
}

/** How long a run of processed records may grow before it is reported, so slow work still shows progress. */
const RUN_REPORT_MS = 250;

interface ProcessedRun { topic: string; partition: number; first: number; last: number; count: number; lastAt: number; timer: TimerHandle }

/**
 * The consumer application a client worker runs: a KafkaJS consumer in `groupId` that
 * subscribes to `topics` and handles each record with eachMessage (waiting processingDelayMs
 * on the cluster's clock), reporting what it processed as consumer-processed events, one per
 * run of consecutive offsets of one partition (a fetched batch, or RUN_REPORT_MS of work).
 * The consumer restarts itself after a retriable crash (KafkaJS's restartOnFailure); a crash it
 * does not restart from (a non-retriable error) ends the application, which says why.
 */
export class ConsumerApp {
  readonly consumer: Consumer;
  private readonly runs = new Map<string, ProcessedRun>();
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly clock: Clock,
    private readonly address: string,
    private readonly emit: (event: ClusterEvent) => void,
    private readonly options: ConsumerAppOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeout,
      heartbeatInterval: options.heartbeatInterval,
      rebalanceTimeout: options.rebalanceTimeout,
      partitionAssigners: partitionAssigners(options.assignors),
    });
    this.consumer.on(CONSUMER_EVENTS.END_BATCH_PROCESS, (event: { payload: { topic: string; partition: number } }) => {
      const run = this.runs.get(runKey(event.payload.topic, event.payload.partition));
      if (run) this.report(run);
    });
    this.consumer.on(CONSUMER_EVENTS.CRASH, (event: { payload: { restart?: boolean; error?: unknown } }) => {
      if (event.payload.restart === false) this.crashed(event.payload.error);
    });
  }

  /** Connects and subscribes (their errors reach the caller), then runs in the background. */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
    this.runConsumer();
  }

  /** consumer.disconnect(): stops after the record in hand, commits, and leaves the group (LeaveGroup). */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.consumer.disconnect();
    } finally {
      for (const run of [...this.runs.values()]) this.report(run);
    }
  }

  private runConsumer(): void {
    this.consumer.run({
      autoCommit: this.options.autoCommit,
      autoCommitInterval: this.options.autoCommitInterval,
      eachMessage: async ({ topic, partition, message }) => {
        if (this.options.processingDelayMs > 0) {
          await new Promise<void>((resolve) => this.clock.setTimer(this.options.processingDelayMs, resolve));
        }
        this.processed(topic, partition, Number(message.offset));
      },
    }).catch((error: unknown) => this.crashed(error));
  }

  private crashed(error: unknown): void {
    if (this.stopping) return;
    const name = (error as { type?: string })?.type ?? (error as Error)?.name ?? 'error';
    this.emit({
      type: 'log', time: this.clock.now(), node: this.address, level: 'error',
      message: `consumer crashed with ${name} (${(error as Error)?.message ?? String(error)}), which is not retriable: the application stops, as KafkaJS does`,
    });
  }

  private processed(topic: string, partition: number, offset: number): void {
    const key = runKey(topic, partition);
    const run = this.runs.get(key);
    if (run && offset === run.last + 1) {
      run.last = offset;
      run.count++;
      run.lastAt = this.clock.now();
      return;
    }
    if (run) this.report(run);
    const next: ProcessedRun = { topic, partition, first: offset, last: offset, count: 1, lastAt: this.clock.now(), timer: { cancel: () => {} } };
    next.timer = this.clock.setTimer(RUN_REPORT_MS, () => {
      if (this.runs.get(key) === next) this.report(next);
    });
    this.runs.set(key, next);
  }

  /** Reports a run, stamped with when its last record was done (not when it is reported). */
  private report(run: ProcessedRun): void {
    run.timer.cancel();
    this.runs.delete(runKey(run.topic, run.partition));
    this.emit({
      type: 'consumer-processed', time: run.lastAt, node: this.address, groupId: this.options.groupId,
      topic: run.topic, partition: run.partition, firstOffset: run.first, lastOffset: run.last, count: run.count,
    });
  }
}

const runKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

/** KafkaJS's partitionAssigners for the protocol names (checked by consumerAppOptions), in order of preference. */
function partitionAssigners(names: readonly string[]): Assignor[] {
  return names.map((name) => {
    const assignor = ASSIGNORS.get(name);
    if (!assignor) throw new Error(`unknown assignor ${name}`);
    return assignor;
  });
}

/** What a client worker runs: a consumer application or a producer application. */
export type ClientInit = { address: string; anchor: TimeAnchor; latencyMs: number } & (
  | { kind: 'consumer'; options: ConsumerAppOptions }
  | { kind: 'producer'; options: ProducerAppOptions }
);

/** What the host can ask of a client worker; connect, peerDown, setTime and block as a node's. */
export interface ClientWorkerApi extends WorkerWiringApi {
  start(init: ClientInit, events: MessagePort): Promise<void>;
  /** A consumer leaves its group (consumer.disconnect); a producer waits for what it has in flight. Both report what is unreported. */
  stop(): Promise<void>;
}

/**
 * The worker side of a client application (a consumer or a producer): the same KafkaJS-shaped client the page uses, on
 * its own MessageChannelTransport address, talking to each broker over the port the host hands
 * it. Terminating the worker is a crash: no LeaveGroup, the coordinator notices only when
 * session.timeout.ms passes without a heartbeat.
 */
export function exposeClient(): void {
  const wiring = workerWiring();
  let app: ConsumerApp | ProducerApp | null = null;
  let flush = () => {};
  // The bootstrap list: brokers the host connected this worker to and has not reported down.
  const brokers = new Set<number>();
  const brokerId = (address: string): number | null => {
    const id = Number(address.replace(/^broker-/, ''));
    return Number.isInteger(id) && brokerAddress(id) === address ? id : null;
  };

  const api: ClientWorkerApi = {
    ...wiring.api,
    async start(init, eventsPort) {
      const batcher = eventBatcher<ClusterEvent>(eventsPort);
      flush = batcher.flush;
      const events = batcher.push;
      const { clock, transport } = wiring.start(init.address, init.anchor, init.latencyMs);
      const kafka = new Kafka({ clientId: init.options.clientId ?? init.address }, {
        transport, clock, random: { next: Math.random }, events,
        bootstrapBrokers: () => [...brokers].sort((a, b) => a - b),
      });
      app = init.kind === 'consumer'
        ? new ConsumerApp(kafka, clock, init.address, events, init.options)
        : new ProducerApp(kafka, clock, init.address, events, init.options);
      try {
        await app.start();
      } finally {
        flush();
      }
    },
    async stop() {
      try {
        await app?.stop();
      } finally {
        flush();
      }
    },
    connect(peer, port) {
      const id = brokerId(peer);
      if (id !== null) brokers.add(id);
      wiring.api.connect(peer, port);
    },
    peerDown(peer) {
      const id = brokerId(peer);
      if (id !== null) brokers.delete(id);
      wiring.api.peerDown(peer);
    },
  };
  Comlink.expose(api);
}
