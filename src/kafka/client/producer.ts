/**
 * KafkaJS's producer: `send({ topic, messages, acks, timeout, compression })` and `sendBatch`,
 * resolving to one RecordMetadata per partition written.
 *
 * Batching. With linger.ms = 0 (the default, and KafkaJS's only mode) one send() makes one record
 * batch per partition and sends them at once: one Produce request per leader broker, carrying
 * all its partitions. With linger.ms > 0 records accumulate per partition, as in Kafka's
 * RecordAccumulator: a batch is sent when it would grow past batch.size bytes or when it has
 * waited linger.ms; a batch that is sent takes along every other open batch for the same leader
 * (Kafka's drain), one batch per partition per request. Several send() calls can then share a
 * batch, and each promise resolves with its own records' offsets (the batch's base offset plus
 * the position of its first record in it).
 *
 * Retries. A partition that fails with a retriable error (or a request that times out) is sent
 * again after KafkaJS's backoff, to the leader found by refreshing the metadata when the error
 * says the leader moved. Other errors, or retries exhausted, reject the send with the Kafka error
 * (`type`, `retriable`, and the topic and partition in the message). Without idempotence a
 * retried batch may be written twice, as with KafkaJS's non-idempotent producer.
 *
 * Idempotence (`idempotent: true`, Kafka's enable.idempotence). connect() gets a producer id and
 * epoch with InitProducerId (from any broker, retried). Every batch then carries them and a
 * base sequence: a per-partition counter of records sent, fixed when the batch is first encoded,
 * so a retry re-sends the very same bytes and the leader, which remembers each producer's last 5
 * batches, answers a duplicate with the original offset instead of writing it again. A partition
 * has at most one batch in flight, so a failed batch is never overtaken by a later one (Kafka
 * allows 5 with reordering on retry; one is the simple safe case). As KafkaJS: acks must be -1
 * and retries default to Number.MAX_SAFE_INTEGER. A batch that still fails leaves its sequence
 * unresolved (was it written?), so before the next batch the producer takes a new producer id,
 * whose sequences start again at 0, as Kafka's producer resets its id then (KIP-360).
 *
 * maxInFlightRequests (KafkaJS): at most that many Produce requests in progress per broker; the
 * rest queue. Unset or 0: no limit.
 */
import type { TimerHandle } from '../ports';
import { errorName } from '../protocol/errors';
import type { Acks, ProduceRequest } from '../protocol/messages';
import type { CompressionType } from '../storage/compression';
import { incrementSequence } from '../storage/producerStateManager';
import { encodeBatch, type RecordHeader, type RecordInput } from '../storage/recordBatch';
import { toBytes } from './buffer';
import { Cluster, METADATA_REFRESH_ERRORS, groupBy, type ClientRuntime } from './cluster';
import { KafkaJSError, KafkaJSNonRetriableError, KafkaProtocolError, isRetriableError, kafkaErrorType, partitionError } from './errors';
import { InstrumentationEmitter, createLogger, type Logger } from './instrumentation';
import { createDefaultPartitioner, type Partitioner, type PartitionerArgs } from './partitioner';
import { Backoff, retryPolicy, sleep, type RetryOptions, type RetryPolicy } from './retry';

export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];
const CODECS: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export const PRODUCER_EVENTS = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;

export type HeaderValue = string | Uint8Array;
export interface IHeaders { [key: string]: HeaderValue | HeaderValue[] | undefined }

export interface Message {
  key?: string | Uint8Array | null;
  value: string | Uint8Array | null;
  partition?: number | null;
  headers?: IHeaders;
  /** Milliseconds since the epoch, as a string (KafkaJS) or a number. Default: the clock's now. */
  timestamp?: string | number;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes | CompressionType;
}

export interface TopicMessages { topic: string; messages: Message[] }

export interface ProducerBatch {
  topicMessages?: TopicMessages[];
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes | CompressionType;
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
  offset?: string;
  timestamp?: string;
}

export interface ProducerConfig {
  /** KafkaJS's partitioner factory, e.g. Partitioners.DefaultPartitioner. */
  createPartitioner?: () => Partitioner;
  retry?: RetryOptions;
  /** Default true, as KafkaJS: producing to an unknown topic asks the broker to create it. */
  allowAutoTopicCreation?: boolean;
  /** Kafka's enable.idempotence: producer id, epoch and sequence numbers. Requires acks -1. */
  idempotent?: boolean;
  transactionalId?: string;
  /** Kafka's linger.ms (KafkaJS has none): default 0, one batch per partition per send(). */
  'linger.ms'?: number;
  lingerMs?: number;
  /** Kafka's batch.size in bytes, used when linger.ms > 0. Default 16384. */
  batchSize?: number;
  'batch.size'?: number;
  /** At most this many Produce requests in progress per broker (unset or 0: no limit). */
  maxInFlightRequests?: number;
  /** metadata.max.age.ms: the topics' metadata is refreshed before a send once this old (default 300000), so added partitions get records. */
  metadataMaxAge?: number;
  transactionTimeout?: number;
}

/** One send() or sendBatch() call, waiting for the batches that hold its records. */
interface SendOp {
  results: Map<string, RecordMetadata>;
  order: string[];
  pending: number;
  settled: boolean;
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

/** A send's records in one batch: from `position` in the batch on. */
interface Contribution { op: SendOp; position: number; first: boolean }

interface Batch {
  key: string;
  topic: string;
  partition: number;
  acks: Acks;
  timeoutMs: number;
  compression: CompressionType;
  records: RecordInput[];
  sizeEstimate: number;
  contributions: Contribution[];
  timer: TimerHandle | null;
  bytes: Uint8Array | null;
  /** Idempotent only: resolves when this partition's previous batch is done; done() releases the next. */
  turn: Promise<void>;
  done: () => void;
  /** Idempotent only: the producer id the batch was encoded with (-1: not yet, no sequence taken). */
  producerId: number;
}

interface Failure { batch: Batch; error: unknown }

const BATCH_OVERHEAD = 61;
const NO_PRODUCER_ID = -1;
const NO_PRODUCER_EPOCH = -1;
const RESOLVED = Promise.resolve();

export class Producer {
  readonly events = PRODUCER_EVENTS;
  private readonly cluster: Cluster;
  private readonly instrumentation: InstrumentationEmitter;
  private readonly partitioner: Partitioner;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly allowAutoTopicCreation: boolean;
  private readonly metadataMaxAge: number;
  /** Open batches by `acks|timeout|compression|topic|partition` (linger.ms > 0 only). */
  private readonly open = new Map<string, Batch>();
  private readonly inflight = new Set<Promise<void>>();
  private connected = false;
  /** Retries of Produce: the producer's own policy (KafkaJS's retrier), apart from the cluster's. */
  private readonly sendPolicy: RetryPolicy;
  private readonly maxInFlightRequests: number;
  private readonly requestsInFlight = new Map<number, number>();
  private readonly requestSlotWaiters = new Map<number, (() => void)[]>();
  private readonly idempotent: boolean;
  private readonly transactionTimeout: number;
  private producerId = NO_PRODUCER_ID;
  private producerEpoch = NO_PRODUCER_EPOCH;
  /** Next base sequence per `topic\0partition`, for the current producer id. */
  private sequences = new Map<string, number>();
  /** Per partition, the `done` promise of its last batch: the next one waits for it. */
  private readonly partitionTails = new Map<string, Promise<void>>();
  /** A batch failed for good: its sequences are unresolved, so the next batch needs a new producer id. */
  private producerIdStale = false;
  private initializing: Promise<void> | null = null;

  constructor(private readonly runtime: ClientRuntime, config: ProducerConfig = {}) {
    this.idempotent = config.idempotent === true;
    if (this.idempotent && config.retry && typeof config.retry.retries === 'number' && config.retry.retries < 1) {
      throw new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors');
    }
    if (config.transactionalId) {
      throw new KafkaJSNonRetriableError('Transactions are not available yet: the transactional producer needs idempotence, which arrives with replication.');
    }
    this.instrumentation = new InstrumentationEmitter(runtime.context.clock, Object.values(PRODUCER_EVENTS));
    this.cluster = new Cluster(runtime, retryPolicy(runtime.retry, config.retry), {
      onRequest: (info) => this.instrumentation.emit(info.timedOut ? PRODUCER_EVENTS.REQUEST_TIMEOUT : PRODUCER_EVENTS.REQUEST, {
        apiKey: 0, apiName: info.apiName, apiVersion: 0, broker: info.broker, clientId: runtime.clientId, correlationId: 0,
        createdAt: info.createdAt, sentAt: info.createdAt, pendingDuration: 0, duration: info.duration, size: 0,
      }),
    });
    this.partitioner = config.createPartitioner
      ? config.createPartitioner()
      : createDefaultPartitioner(Math.floor(runtime.context.random.next() * 0x7fffffff));
    this.lingerMs = Math.max(0, Number(config['linger.ms'] ?? config.lingerMs ?? 0) || 0);
    this.batchSize = Math.max(1, Number(config['batch.size'] ?? config.batchSize ?? 16_384) || 16_384);
    this.allowAutoTopicCreation = config.allowAutoTopicCreation ?? true;
    this.metadataMaxAge = config.metadataMaxAge ?? 300_000;
    // KafkaJS: an idempotent producer retries (practically) forever unless told otherwise.
    this.sendPolicy = retryPolicy(runtime.retry, config.retry ?? (this.idempotent ? { retries: Number.MAX_SAFE_INTEGER } : undefined));
    if (this.idempotent && this.sendPolicy.retries < Number.MAX_SAFE_INTEGER) {
      this.cluster.log('warn', 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    }
    const maxInFlight = Number(config.maxInFlightRequests);
    this.maxInFlightRequests = Number.isFinite(maxInFlight) && maxInFlight >= 1 ? Math.floor(maxInFlight) : Infinity;
    this.transactionTimeout = Number(config.transactionTimeout) > 0 ? Number(config.transactionTimeout) : 60_000;
  }

  on(eventName: string, listener: (event: any) => void): () => void {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return createLogger((level, message) => this.cluster.log(level, message), 'Producer');
  }

  isIdempotent(): boolean {
    return this.idempotent;
  }

  async transaction(): Promise<never> {
    throw new KafkaJSNonRetriableError('Transactions are not available yet.');
  }

  async connect(): Promise<void> {
    await this.cluster.retry(() => this.cluster.refreshMetadata());
    // As KafkaJS: the producer id is fetched once, on the first connect.
    if (this.idempotent && this.producerId === NO_PRODUCER_ID) await this.initProducerId();
    this.connected = true;
    this.instrumentation.emit(PRODUCER_EVENTS.CONNECT);
  }

  /** InitProducerId to any broker, retried; one at a time. New id: every sequence starts at 0. */
  private initProducerId(): Promise<void> {
    this.initializing ??= this.cluster.retry(async () => {
      const response = await this.cluster.requestAnyBroker('InitProducerId', {
        transactionalId: null, transactionTimeoutMs: this.transactionTimeout,
        // KIP-360: a producer that had an id says so; the broker gives a non-transactional one a new id.
        producerId: this.producerId, producerEpoch: this.producerEpoch,
      });
      if (response.errorCode !== 0) throw new KafkaProtocolError(errorName(response.errorCode), 'InitProducerId');
      this.producerId = response.producerId;
      this.producerEpoch = response.producerEpoch;
      this.sequences = new Map();
      this.producerIdStale = false;
      this.runtime.context.events({
        type: 'producer-id', time: this.runtime.context.clock.now(), node: this.cluster.node,
        producerId: response.producerId, producerEpoch: response.producerEpoch,
      });
    }, { refresh: false }).catch((error) => {
      this.cluster.reportError('InitProducerId', error);
      throw error;
    }).finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  /** Sends every accumulated batch and waits for all outstanding sends, then disconnects. */
  async disconnect(): Promise<void> {
    await this.flush();
    const wasConnected = this.connected;
    this.connected = false;
    if (wasConnected) this.instrumentation.emit(PRODUCER_EVENTS.DISCONNECT);
  }

  /** Sends the accumulated batches now and waits until every send in flight has settled. */
  async flush(): Promise<void> {
    this.drain(null);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!record || typeof record !== 'object') return Promise.reject(new KafkaJSNonRetriableError('Invalid producer record'));
    const { topic, messages, acks, timeout, compression } = record;
    return this.sendBatch({ topicMessages: [{ topic, messages }], acks, timeout, compression });
  }

  async sendBatch({ topicMessages = [], acks = -1, timeout = 30_000, compression }: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) throw new KafkaJSError('The producer is disconnected', { retriable: false });
    for (const { topic, messages } of topicMessages) {
      if (typeof topic !== 'string' || topic.length === 0) throw new KafkaJSNonRetriableError(`Invalid topic: ${String(topic)}`);
      if (!Array.isArray(messages)) throw new KafkaJSNonRetriableError(`Invalid messages array [${String(messages)}] for topic "${topic}"`);
      const noValue = messages.filter((m) => !m || m.value === undefined);
      if (noValue.length > 0) throw new KafkaJSNonRetriableError(`Invalid message without value for topic "${topic}"`);
    }
    if (this.idempotent && acks !== -1) {
      throw new KafkaJSNonRetriableError("Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees");
    }
    const codec = codecOf(compression);
    const ackMode = acks as Acks;
    const topics = [...new Set(topicMessages.filter((t) => t.messages.length > 0).map((t) => t.topic))];
    if (topics.length === 0) return [];
    try {
      await this.cluster.refreshMetadataIfNecessary(this.metadataMaxAge);
      await this.cluster.ensureTopics(topics, this.allowAutoTopicCreation);
    } catch (error) {
      this.cluster.reportError('Produce', error);
      throw error;
    }

    // Partition every message first, so a bad message fails the send before anything is queued.
    const now = this.runtime.context.clock.now();
    const entries: { topic: string; partition: number; record: RecordInput }[] = [];
    for (const { topic, messages } of topicMessages) {
      const partitionMetadata = this.cluster.partitionMetadata(topic);
      for (const message of messages) {
        const partition = message.partition !== undefined && message.partition !== null
          ? message.partition
          : this.partitioner({ topic, partitionMetadata, message } as unknown as PartitionerArgs);
        if (!partitionMetadata.some((p) => p.partitionId === partition)) {
          throw partitionError('UNKNOWN_TOPIC_OR_PARTITION', topic, partition, `topic ${topic} has ${partitionMetadata.length} partition(s)`);
        }
        entries.push({ topic, partition, record: toRecord(message, now) });
      }
    }

    const op = this.newOp();
    if (this.lingerMs === 0) {
      // KafkaJS: one batch per partition for this send, sent at once.
      const batches = [...groupBy(entries, (e) => `${e.topic}\0${e.partition}`).values()].map((group) => {
        const batch = this.newBatch(group[0].topic, group[0].partition, ackMode, timeout, codec);
        this.append(batch, op, group.map((e) => e.record));
        return batch;
      });
      this.track(this.deliver(batches, ackMode, timeout));
    } else {
      for (const group of groupBy(entries, (e) => `${e.topic}\0${e.partition}`).values()) {
        for (const { record } of group) this.accumulate(group[0].topic, group[0].partition, ackMode, timeout, codec, op, record);
      }
    }
    return op.promise;
  }

  // ---- Accumulating ------------------------------------------------------------------------

  private newOp(): SendOp & { promise: Promise<RecordMetadata[]> } {
    let resolve!: (metadata: RecordMetadata[]) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<RecordMetadata[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { results: new Map(), order: [], pending: 0, settled: false, resolve, reject, promise };
  }

  private newBatch(topic: string, partition: number, acks: Acks, timeoutMs: number, compression: CompressionType): Batch {
    return {
      key: `${acks}|${timeoutMs}|${compression}|${topic}\0${partition}`, topic, partition, acks, timeoutMs, compression,
      records: [], sizeEstimate: BATCH_OVERHEAD, contributions: [], timer: null, bytes: null,
      turn: RESOLVED, done: () => undefined, producerId: NO_PRODUCER_ID,
    };
  }

  /** Adds records of `op` to `batch`, noting where they start. */
  private append(batch: Batch, op: SendOp, records: RecordInput[]): void {
    const partitionKey = `${batch.topic}\0${batch.partition}`;
    const last = batch.contributions[batch.contributions.length - 1];
    if (!last || last.op !== op) {
      const first = !op.order.includes(partitionKey);
      if (first) op.order.push(partitionKey);
      batch.contributions.push({ op, position: batch.records.length, first });
      op.pending++;
    }
    for (const record of records) {
      batch.records.push(record);
      batch.sizeEstimate += recordSize(record);
    }
  }

  private accumulate(topic: string, partition: number, acks: Acks, timeoutMs: number, codec: CompressionType, op: SendOp, record: RecordInput): void {
    const key = `${acks}|${timeoutMs}|${codec}|${topic}\0${partition}`;
    let batch = this.open.get(key);
    if (batch && batch.records.length > 0 && batch.sizeEstimate + recordSize(record) > this.batchSize) {
      // Full: it goes now, with every other open batch for its leader.
      this.drain(new Set([this.cluster.findLeader(topic, partition)]));
      batch = undefined;
    }
    if (!batch) {
      const created = this.newBatch(topic, partition, acks, timeoutMs, codec);
      created.timer = this.runtime.context.clock.setTimer(this.lingerMs, () => {
        created.timer = null;
        this.drain(new Set([this.cluster.findLeader(created.topic, created.partition)]));
      });
      this.open.set(key, created);
      batch = created;
    }
    this.append(batch, op, [record]);
    if (batch.sizeEstimate >= this.batchSize) this.drain(new Set([this.cluster.findLeader(topic, partition)]));
  }

  /** Sends the open batches whose leader is in `leaders` (all when null). */
  private drain(leaders: Set<number> | null): void {
    const taken: Batch[] = [];
    for (const [key, batch] of this.open) {
      if (leaders && !leaders.has(this.cluster.findLeader(batch.topic, batch.partition))) continue;
      this.open.delete(key);
      batch.timer?.cancel();
      batch.timer = null;
      taken.push(batch);
    }
    for (const group of groupBy(taken, (b) => `${b.acks}|${b.timeoutMs}`).values()) {
      // Idempotent: one batch per partition per delivery; a partition's next batch waits for the previous one.
      for (const round of this.idempotent ? onePerPartition(group) : [group]) this.track(this.deliver(round, round[0].acks, round[0].timeoutMs));
    }
  }

  private track(delivery: Promise<void>): void {
    this.inflight.add(delivery);
    void delivery.finally(() => this.inflight.delete(delivery));
  }

  // ---- Sending -----------------------------------------------------------------------------

  /** Sends batches until each is written, has failed for good, or ran out of retries. */
  private async deliver(batches: Batch[], acks: Acks, timeoutMs: number): Promise<void> {
    if (this.idempotent) {
      // Queued now, synchronously, so batches of a partition go in the order they were made.
      for (const batch of batches) this.enqueue(batch);
      await Promise.all(batches.map((b) => b.turn));
    }
    const backoff = new Backoff(this.sendPolicy, this.runtime.context.random);
    let pending = batches;
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        if (this.idempotent && pending.some((b) => !b.bytes) && (this.producerIdStale || this.producerId === NO_PRODUCER_ID)) {
          await this.initProducerId();
        }
        await Promise.all(pending.map((b) => this.encode(b)));
      } catch (error) {
        for (const batch of pending) this.failBatch(batch, error);
        return;
      }
      const failures: Failure[] = [];
      const byLeader = groupBy(pending, (b) => this.cluster.findLeader(b.topic, b.partition));
      await Promise.all([...byLeader].map(async ([leader, group]) => {
        if (leader < 0) {
          for (const batch of group) failures.push({ batch, error: partitionError('LEADER_NOT_AVAILABLE', batch.topic, batch.partition, 'no leader known') });
          return;
        }
        // Kafka takes one batch per partition per request: later batches of a partition wait their turn.
        for (const requestBatches of onePerPartition(group)) failures.push(...(await this.produce(leader, requestBatches, acks, timeoutMs)));
      }));
      if (failures.length === 0) return;
      const retry: Failure[] = [];
      for (const failure of failures) {
        if (attempt < this.sendPolicy.retries && isRetriableError(failure.error)) retry.push(failure);
        else this.failBatch(failure.batch, failure.error);
      }
      if (retry.length === 0) return;
      await sleep(this.runtime.context.clock, backoff.next());
      if (retry.some((f) => METADATA_REFRESH_ERRORS.has(kafkaErrorType(f.error)!))) {
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
      pending = retry.map((f) => f.batch);
    }
  }

  /** Puts the batch behind its partition's previous batch. */
  private enqueue(batch: Batch): void {
    const partitionKey = `${batch.topic}\0${batch.partition}`;
    batch.turn = this.partitionTails.get(partitionKey) ?? RESOLVED;
    const done = new Promise<void>((resolve) => {
      batch.done = resolve;
    });
    this.partitionTails.set(partitionKey, done);
    void done.then(() => {
      if (this.partitionTails.get(partitionKey) === done) this.partitionTails.delete(partitionKey);
    });
  }

  /** Encodes a batch once; an idempotent one gets the producer id, epoch and its partition's next sequence. */
  private async encode(batch: Batch): Promise<void> {
    if (batch.bytes) return;
    if (!this.idempotent) {
      batch.bytes = await encodeBatch({ records: batch.records, compression: batch.compression });
      return;
    }
    const partitionKey = `${batch.topic}\0${batch.partition}`;
    const baseSequence = this.sequences.get(partitionKey) ?? 0;
    this.sequences.set(partitionKey, incrementSequence(baseSequence, batch.records.length));
    batch.producerId = this.producerId;
    batch.bytes = await encodeBatch({
      records: batch.records, compression: batch.compression,
      producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence,
    });
  }

  /** Waits for a free Produce slot on the broker (maxInFlightRequests). */
  private async acquireRequestSlot(broker: number): Promise<void> {
    if (this.maxInFlightRequests === Infinity) return;
    while ((this.requestsInFlight.get(broker) ?? 0) >= this.maxInFlightRequests) {
      await new Promise<void>((resolve) => {
        const waiters = this.requestSlotWaiters.get(broker) ?? [];
        waiters.push(resolve);
        this.requestSlotWaiters.set(broker, waiters);
      });
    }
    this.requestsInFlight.set(broker, (this.requestsInFlight.get(broker) ?? 0) + 1);
  }

  private releaseRequestSlot(broker: number): void {
    if (this.maxInFlightRequests === Infinity) return;
    this.requestsInFlight.set(broker, (this.requestsInFlight.get(broker) ?? 1) - 1);
    this.requestSlotWaiters.get(broker)?.shift()?.();
  }

  /** One Produce request (once a slot is free); returns the batches that failed. */
  private async produce(leader: number, batches: Batch[], acks: Acks, timeoutMs: number): Promise<Failure[]> {
    await this.acquireRequestSlot(leader);
    try {
      return await this.produceNow(leader, batches, acks, timeoutMs);
    } finally {
      this.releaseRequestSlot(leader);
    }
  }

  private async produceNow(leader: number, batches: Batch[], acks: Acks, timeoutMs: number): Promise<Failure[]> {
    const body: ProduceRequest = {
      acks, timeoutMs,
      topicData: [...groupBy(batches, (b) => b.topic)].map(([name, group]) => ({
        name, partitionData: group.map((b) => ({ index: b.partition, records: b.bytes! })),
      })),
    };
    if (acks === 0) {
      // Nobody answers: the records count as sent, with unknown offsets, as in Kafka.
      this.cluster.sendOneWay(leader, 'Produce', body);
      for (const batch of batches) this.completeBatch(batch, -1, -1, -1);
      return [];
    }
    let response;
    try {
      // Copied, not transferred: a retry sends these very bytes (and sequence) again.
      response = await this.cluster.request(leader, 'Produce', body, Math.max(this.runtime.requestTimeout, timeoutMs + 1_000));
    } catch (error) {
      return batches.map((batch) => ({ batch, error: withPartition(error, batch) }));
    }
    const failures: Failure[] = [];
    for (const batch of batches) {
      const result = response.responses.find((t) => t.name === batch.topic)?.partitionResponses.find((p) => p.index === batch.partition);
      if (!result) failures.push({ batch, error: partitionError('UNKNOWN_SERVER_ERROR', batch.topic, batch.partition, `broker ${leader} did not answer for the partition`) });
      // As Kafka's producer: the batch is in the log, but too long ago for the leader to say at which offset.
      else if (this.idempotent && errorName(result.errorCode) === 'DUPLICATE_SEQUENCE_NUMBER') this.completeBatch(batch, -1, -1, -1);
      else if (result.errorCode !== 0) failures.push({ batch, error: partitionError(errorName(result.errorCode), batch.topic, batch.partition, result.errorMessage) });
      else this.completeBatch(batch, result.baseOffset, result.logAppendTimeMs, result.logStartOffset);
    }
    return failures;
  }

  private completeBatch(batch: Batch, baseOffset: number, logAppendTime: number, logStartOffset: number): void {
    batch.done();
    const partitionKey = `${batch.topic}\0${batch.partition}`;
    for (const { op, position, first } of batch.contributions) {
      if (first && !op.results.has(partitionKey)) {
        op.results.set(partitionKey, {
          topicName: batch.topic, partition: batch.partition, errorCode: 0,
          baseOffset: String(baseOffset < 0 ? -1 : baseOffset + position),
          logAppendTime: String(logAppendTime ?? -1), logStartOffset: String(logStartOffset ?? -1),
        });
      }
      op.pending--;
      if (op.pending === 0 && !op.settled) {
        op.settled = true;
        op.resolve(op.order.map((k) => op.results.get(k)!).filter(Boolean));
      }
    }
  }

  private failBatch(batch: Batch, error: unknown): void {
    // Whether the leader wrote it is unknown: the next batch must not build on its sequences.
    if (batch.producerId !== NO_PRODUCER_ID && batch.producerId === this.producerId) this.producerIdStale = true;
    batch.done();
    this.cluster.reportError('Produce', error);
    for (const { op } of batch.contributions) {
      op.pending--;
      if (!op.settled) {
        op.settled = true;
        op.reject(error);
      }
    }
  }
}

/** Splits batches into requests holding at most one batch per partition, keeping order. */
function onePerPartition(batches: Batch[]): Batch[][] {
  const requests: Batch[][] = [];
  for (const batch of batches) {
    const request = requests.find((r) => !r.some((b) => b.topic === batch.topic && b.partition === batch.partition));
    if (request) request.push(batch);
    else requests.push([batch]);
  }
  return requests;
}

function withPartition(error: unknown, batch: Batch): unknown {
  if (!(error instanceof KafkaProtocolError)) return error;
  const detail = error.message.startsWith(`${error.type}: `) ? error.message.slice(error.type.length + 2) : error.message;
  return partitionError(error.type, batch.topic, batch.partition, detail === error.type ? null : detail);
}

function codecOf(compression: unknown): CompressionType {
  if (compression === undefined || compression === null) return 'none';
  if (typeof compression === 'number' && CODECS[compression]) return CODECS[compression];
  if (typeof compression === 'string' && (CODECS as readonly string[]).includes(compression.toLowerCase())) return compression.toLowerCase() as CompressionType;
  throw new KafkaJSNonRetriableError(`Unsupported compression: ${String(compression)} (use CompressionTypes.None, GZIP, Snappy, LZ4 or ZSTD)`);
}

function toHeaders(headers: unknown): RecordHeader[] {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) {
    return headers.map((h: { key: string; value: unknown }) => ({ key: String(h.key), value: toBytes(h.value, `header "${h.key}"`) }));
  }
  if (typeof headers !== 'object') throw new KafkaJSNonRetriableError('Invalid headers: expected an object');
  const out: RecordHeader[] = [];
  for (const [key, value] of Object.entries(headers as IHeaders)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push({ key, value: toBytes(v, `header "${key}"`) });
  }
  return out;
}

function toRecord(message: Message, now: number): RecordInput {
  // Kafka timestamps are whole milliseconds; a cluster clock may run fractional.
  const timestamp = Math.floor(message.timestamp === undefined || message.timestamp === null ? now : Number(message.timestamp));
  if (!Number.isSafeInteger(timestamp)) throw new KafkaJSNonRetriableError(`Invalid timestamp: ${String(message.timestamp)}`);
  return { key: toBytes(message.key, 'message key'), value: toBytes(message.value, 'message value'), headers: toHeaders(message.headers), timestamp };
}

function recordSize(record: RecordInput): number {
  let size = 21 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += 10 + h.key.length + (h.value?.length ?? 0);
  return size;
}
