import type { Clock, TimerHandle } from '../kafka/ports';
import { validateTopicName } from '../kafka/controller/topicValidation';
import type { Kafka } from '../kafka/client/kafka';
import type { Message, Producer } from '../kafka/client/producer';
import { createDefaultPartitioner, type Partitioner } from '../kafka/client/partitioner';
import { COMPRESSION_TYPES, type CompressionType } from '../kafka/storage/compression';
import type { ClusterEvent } from '../cluster/events';

/** What `cluster.startProducer(options)` takes: a producer application in its own Web Worker. */
export interface StartProducerOptions {
  topic: string;
  /** Records per second of cluster time (so it slows down and stops with the clock). Default 1. */
  ratePerSec?: number;
  /**
   * Record keys, used in turn: a list of keys, a count of distinct keys ('key-0', 'key-1', ...),
   * or null (the default) for no key: KafkaJS's default partitioner then spreads records
   * round-robin; a key always goes to murmur2(key) mod partitions, as in Java and KafkaJS.
   */
  keys?: string[] | number | null;
  /** Bytes per record value (padded); default: a short text naming the record. */
  valueSize?: number;
  /** -1 (all, KafkaJS's and Java's default), 1 (the leader) or 0 (no reply). */
  acks?: -1 | 0 | 1;
  /**
   * enable.idempotence. Default false, as KafkaJS; Java's producer defaults to true since
   * Kafka 3.0 (KIP-679). Requires acks -1.
   */
  idempotent?: boolean;
  /** linger.ms, default 0. KafkaJS has no linger.ms (this client adds Java's accumulator). */
  lingerMs?: number;
  /** batch.size in bytes, default 16384; used with lingerMs > 0. */
  batchSize?: number;
  /** compression.type, default 'none'. */
  compression?: CompressionType;
  /** client.id; default the application's id (e.g. 'producer-1'). */
  clientId?: string;
}

export interface ProducerAppOptions {
  topic: string; ratePerSec: number; keys: string[] | null; valueSize: number | null; acks: -1 | 0 | 1;
  idempotent: boolean; lingerMs: number; batchSize: number; compression: CompressionType; clientId?: string;
}

/** The fastest a producer application may run: records per second of cluster time. */
export const MAX_PRODUCER_RATE = 5000;
/** The largest value: Kafka's max.request.size (1048576) less room for the batch's headers. */
export const MAX_VALUE_SIZE = 1_000_000;
/** The most distinct keys a count may ask for. */
const MAX_KEY_COUNT = 100_000;

const OPTION_NAMES: readonly (keyof StartProducerOptions)[] = ['topic', 'ratePerSec', 'keys', 'valueSize', 'acks', 'idempotent', 'lingerMs', 'batchSize', 'compression', 'clientId'];

function fail(message: string): never {
  throw new Error(`startProducer: ${message}`);
}

/** Checks startProducer's options, naming the first problem, and fills in the defaults. */
export function producerAppOptions(raw: unknown): ProducerAppOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('options must be an object like { topic: "demo", ratePerSec: 5 }');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_NAMES.includes(key as keyof StartProducerOptions)) fail(`unknown option "${key}" (known: ${OPTION_NAMES.join(', ')})`);
  }
  if (typeof o.topic !== 'string' || o.topic.length === 0) fail('topic must be a non-empty string');
  try {
    validateTopicName(o.topic as string);
  } catch (error) {
    fail((error as Error).message);
  }
  const ratePerSec = o.ratePerSec ?? 1;
  if (typeof ratePerSec !== 'number' || !Number.isFinite(ratePerSec) || ratePerSec <= 0 || ratePerSec > MAX_PRODUCER_RATE) {
    fail(`ratePerSec must be a number of records per second above 0 and at most ${MAX_PRODUCER_RATE}, got ${JSON.stringify(o.ratePerSec)}`);
  }
  let keys: string[] | null = null;
  if (Array.isArray(o.keys)) {
    if (o.keys.length === 0) fail('keys must be a non-empty list of strings, a count of distinct keys, or null for no key');
    for (const key of o.keys as unknown[]) if (typeof key !== 'string') fail(`keys must be strings, got ${JSON.stringify(key)}`);
    keys = [...(o.keys as string[])];
  } else if (typeof o.keys === 'number') {
    if (!Number.isInteger(o.keys) || o.keys < 1 || o.keys > MAX_KEY_COUNT) fail(`a count of keys must be an integer from 1 to ${MAX_KEY_COUNT}, got ${o.keys}`);
    keys = Array.from({ length: o.keys }, (_, i) => `key-${i}`);
  } else if (o.keys !== undefined && o.keys !== null) {
    fail(`keys must be a list of strings, a count of distinct keys, or null for no key, got ${JSON.stringify(o.keys)}`);
  }
  const integer = (key: keyof StartProducerOptions, fallback: number, min: number, max: number): number => {
    const value = o[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(o[key])}`);
    return value as number;
  };
  const valueSize = o.valueSize === undefined || o.valueSize === null ? null : integer('valueSize', 0, 1, MAX_VALUE_SIZE);
  const acks = o.acks ?? -1;
  if (acks !== -1 && acks !== 0 && acks !== 1) fail(`acks must be -1 (all), 1 (the leader) or 0 (no reply), got ${JSON.stringify(o.acks)}`);
  const idempotent = o.idempotent ?? false;
  if (typeof idempotent !== 'boolean') fail(`idempotent must be true or false, got ${JSON.stringify(o.idempotent)}`);
  if (idempotent && acks !== -1) fail(`an idempotent producer needs acks -1 (all), got acks ${String(acks)}: KafkaJS refuses it, and Java's producer throws ConfigException`);
  const compression = o.compression ?? 'none';
  if (typeof compression !== 'string' || !COMPRESSION_TYPES.includes(compression as CompressionType)) {
    fail(`compression must be one of ${COMPRESSION_TYPES.join(', ')}, got ${JSON.stringify(o.compression)}`);
  }
  if (o.clientId !== undefined && (typeof o.clientId !== 'string' || o.clientId.length === 0)) fail('clientId must be a non-empty string');
  return {
    topic: o.topic as string,
    ratePerSec: ratePerSec as number,
    keys,
    valueSize,
    acks: acks as -1 | 0 | 1,
    idempotent: idempotent as boolean,
    lingerMs: integer('lingerMs', 0, 0, 60_000),
    batchSize: integer('batchSize', 16_384, 1, 1_048_576),
    compression: compression as CompressionType,
    ...(o.clientId !== undefined ? { clientId: o.clientId as string } : {}),
  };
}

/** How often a summary of acknowledged records is reported, in cluster milliseconds. */
const SUMMARY_MS = 1000;
/** The application sends at most this often (cluster milliseconds): faster rates send several records per tick. */
const MIN_TICK_MS = 50;
/**
 * Records sent and not yet acknowledged the application allows (as Kafka's buffer.memory): above
 * it, it waits, as send() blocks in Java for max.block.ms, rather than queue without end while
 * the cluster is paused or a partition has no leader.
 */
const MAX_UNACKNOWLEDGED = 1000;

interface PartitionSummary { count: number; firstOffset: number | null; lastOffset: number | null }

/**
 * The producer application a client worker runs: a KafkaJS producer that sends `ratePerSec`
 * records a second of cluster time to `topic`. With linger.ms 0 (KafkaJS's only mode) the
 * records due in one tick (at most every 50 ms of cluster time) go in one send() call, as a
 * KafkaJS application sending a list of messages: one batch per partition. With linger.ms > 0
 * each record is its own send() and the accumulator batches them (Java's behaviour). What was
 * acknowledged, and what failed (by Kafka error name), is reported about once a second as a
 * producer-sent event.
 */
export class ProducerApp {
  readonly producer: Producer;
  /** The partition the partitioner chose for each message, to count records per partition. */
  private readonly partitionOf = new WeakMap<object, number>();
  private readonly keys: string[] | null;
  private sequence = 0;
  private credit = 1;
  private lastTick = 0;
  private unacknowledged = 0;
  private stopped = false;
  private tickTimer: TimerHandle | null = null;
  private summaryTimer: TimerHandle | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private partitions = new Map<number, PartitionSummary>();
  private acknowledged = 0;
  private errors: Record<string, number> = {};

  constructor(
    kafka: Kafka,
    private readonly clock: Clock,
    private readonly address: string,
    private readonly emit: (event: ClusterEvent) => void,
    private readonly options: ProducerAppOptions,
    random: () => number = Math.random,
  ) {
    this.keys = options.keys;
    const partitionOf = this.partitionOf;
    this.producer = kafka.producer({
      idempotent: options.idempotent,
      lingerMs: options.lingerMs,
      batchSize: options.batchSize,
      // KafkaJS's default partitioner, watched so each record's partition is known.
      createPartitioner: (): Partitioner => {
        const inner = createDefaultPartitioner(Math.floor(random() * 0x7fffffff));
        return (args) => {
          const partition = inner(args);
          partitionOf.set(args.message, partition);
          return partition;
        };
      },
    });
  }

  /** Connects (and gets a producer id if idempotent); errors reach the caller. Then sends in the background. */
  async start(): Promise<void> {
    await this.producer.connect();
    this.lastTick = this.clock.now();
    this.tick();
    this.summaryTimer = this.clock.setTimer(SUMMARY_MS, () => this.summarize());
  }

  /** Stops sending, waits for what is in flight, reports it and disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.tickTimer?.cancel();
    try {
      await Promise.allSettled([...this.inflight]);
      await this.producer.disconnect();
    } finally {
      this.summarize();
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    this.credit += ((now - this.lastTick) * this.options.ratePerSec) / 1000;
    this.lastTick = now;
    let due = Math.floor(this.credit);
    this.credit -= due;
    // Blocked as send() is when buffer.memory is full: those records are not made.
    due = Math.min(due, MAX_UNACKNOWLEDGED - this.unacknowledged);
    if (due > 0) {
      const messages = Array.from({ length: due }, () => this.nextMessage());
      if (this.options.lingerMs > 0) for (const message of messages) this.send([message]);
      else this.send(messages);
    }
    this.tickTimer = this.clock.setTimer(Math.max(MIN_TICK_MS, 1000 / this.options.ratePerSec), () => this.tick());
  }

  private nextMessage(): Message {
    const n = this.sequence++;
    const key = this.keys ? this.keys[n % this.keys.length] : null;
    let value = `${this.address} #${n}${key === null ? '' : ` key ${key}`}`;
    if (this.options.valueSize !== null) value = value.padEnd(this.options.valueSize, '.').slice(0, this.options.valueSize);
    return { key, value };
  }

  private send(messages: Message[]): void {
    this.unacknowledged += messages.length;
    const { topic, acks, compression } = this.options;
    const sent = this.producer.send({ topic, acks, compression, messages }).then(
      (metadata) => {
        const counts = new Map<number, number>();
        for (const message of messages) {
          const partition = this.partitionOf.get(message);
          if (partition !== undefined) counts.set(partition, (counts.get(partition) ?? 0) + 1);
        }
        for (const [partition, count] of counts) {
          const base = Number(metadata.find((m) => m.partition === partition)?.baseOffset ?? -1);
          this.acknowledgedRecords(partition, count, base >= 0 ? base : null);
        }
      },
      (error: { type?: string; name?: string }) => {
        const name = error?.type ?? error?.name ?? 'Error';
        this.errors[name] = (this.errors[name] ?? 0) + messages.length;
      },
    ).finally(() => {
      this.unacknowledged -= messages.length;
      this.inflight.delete(sent);
    });
    this.inflight.add(sent);
  }

  private acknowledgedRecords(partition: number, count: number, baseOffset: number | null): void {
    this.acknowledged += count;
    const summary = this.partitions.get(partition) ?? { count: 0, firstOffset: null, lastOffset: null };
    summary.count += count;
    if (baseOffset !== null) {
      const last = baseOffset + count - 1;
      summary.firstOffset = summary.firstOffset === null ? baseOffset : Math.min(summary.firstOffset, baseOffset);
      summary.lastOffset = summary.lastOffset === null ? last : Math.max(summary.lastOffset, last);
    }
    this.partitions.set(partition, summary);
  }

  /** Reports what completed since the last summary (nothing: no event), then waits for the next. */
  private summarize(): void {
    this.summaryTimer?.cancel();
    if (this.acknowledged > 0 || Object.keys(this.errors).length > 0) {
      this.emit({
        type: 'producer-sent', time: this.clock.now(), node: this.address, topic: this.options.topic, acks: this.options.acks,
        partitions: [...this.partitions].sort(([a], [b]) => a - b).map(([partition, s]) => ({ partition, ...s })),
        acknowledged: this.acknowledged, errors: this.errors,
      });
    }
    this.partitions = new Map();
    this.acknowledged = 0;
    this.errors = {};
    this.summaryTimer = this.stopped ? null : this.clock.setTimer(SUMMARY_MS, () => this.summarize());
  }
}
