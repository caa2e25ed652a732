/**
 * The entry point of the KafkaJS-shaped client: `new Kafka(config, context)` then
 * `.producer()`, `.consumer({ groupId })`, `.admin()`, with KafkaJS 2.x's method names,
 * arguments and results, so KafkaJS code runs as pasted. The playground supplies the brokers
 * (`context.bootstrapBrokers`); `config.brokers` is accepted and ignored.
 */
import { Rpc } from '../common/rpc';
import type { Clock, EventSink, Random, Transport } from '../ports';
import { Admin, type AdminConfig } from './admin';
import { Cluster, type ClientRuntime } from './cluster';
import { Consumer, type ConsumerConfig } from './consumer';
import { createLogger, type Logger } from './instrumentation';
import { PartitionReader } from './partitionReader';
import { Producer, type ProducerConfig } from './producer';
import { retryPolicy, type RetryOptions } from './retry';
import { KafkaJSNonRetriableError } from './errors';

export interface ClientContext {
  transport: Transport;
  clock: Clock;
  random: Random;
  events: EventSink;
  /** Broker ids to try first (the bootstrap list); any of them may be down. */
  bootstrapBrokers: () => number[];
}

export interface KafkaConfig {
  clientId?: string;
  /** Accepted for KafkaJS compatibility and ignored: the playground supplies the brokers. */
  brokers?: string[] | (() => string[] | Promise<string[]>);
  retry?: RetryOptions;
  /** Default 30000, as KafkaJS. */
  requestTimeout?: number;
  /**
   * On a Transport there is no TCP connect to time out; this bounds how long a request to one
   * broker of the bootstrap list (Metadata, FindCoordinator) may take before the next is tried.
   * Default 3000 (KafkaJS's connect timeout is 1000).
   */
  connectionTimeout?: number;
  enforceRequestTimeout?: boolean;
  logLevel?: number;
  logCreator?: unknown;
  ssl?: unknown;
  sasl?: unknown;
  [other: string]: unknown;
}

export class Kafka {
  private rpc: Rpc | null = null;
  private readonly runtimeConfig: Omit<ClientRuntime, 'rpc'>;

  constructor(readonly config: KafkaConfig, private readonly context: ClientContext) {
    this.runtimeConfig = {
      context,
      clientId: config.clientId ?? 'kafkajs',
      requestTimeout: positive(config.requestTimeout, 30_000),
      connectionTimeout: positive(config.connectionTimeout, 3_000),
      retry: retryPolicy(config.retry),
    };
  }

  /** One Rpc per Kafka instance (it owns the transport's receive handler), made on first use. */
  private runtime(): ClientRuntime {
    this.rpc ??= new Rpc(this.context.transport, this.context.clock, this.context.events);
    return { ...this.runtimeConfig, rpc: this.rpc };
  }

  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.runtime(), config);
  }

  consumer(config: ConsumerConfig): Consumer {
    if (!config || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    }
    return new Consumer(this.runtime(), config);
  }

  admin(config: AdminConfig = {}): Admin {
    return new Admin(this.runtime(), config);
  }

  /**
   * Not in KafkaJS: reads a partition from an offset with Fetch to its leader, as
   * kafka-console-consumer.sh --partition --offset does, keeping each record's batch (offsets,
   * producer id / epoch, base sequence). No group, no commits: the playground's message browser.
   */
  partitionReader(): PartitionReader {
    const runtime = this.runtime();
    return new PartitionReader(new Cluster(runtime, runtime.retry));
  }

  logger(): Logger {
    return createLogger((level, message) =>
      this.context.events({ type: 'log', time: this.context.clock.now(), node: this.context.transport.self, level, message }));
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
