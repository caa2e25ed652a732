/**
 * The slice of the KafkaJS-shaped client the forms use. Results are `unknown` and read at
 * run time, so the forms keep compiling while the client grows; assigning the real client to
 * these types still checks the method names.
 */
import type { Playground } from '../playground';
import type { StartConsumerOptions } from '../runtime/clientRuntime';

export interface UiAdmin {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  createTopics(options: {
    topics: { topic: string; numPartitions: number; replicationFactor: number; configEntries?: { name: string; value: string }[] }[];
  }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<unknown>;
  deleteTopicRecords(options: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<unknown>;
  createPartitions(options: { topicPartitions: { topic: string; count: number }[] }): Promise<unknown>;
}

export interface UiProducer {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  send(record: { topic: string; acks: number; messages: { key: string | null; value: string }[] }): Promise<unknown>;
}

/** One connected client per form, made on first use and reused: a form is one application. */
export function lazyConnected<T extends { connect(): Promise<unknown> }>(make: () => T): () => Promise<T> {
  let connected: Promise<T> | null = null;
  return () => {
    connected ??= (async () => {
      const client = make();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      connected = null;
      throw error;
    });
    return connected;
  };
}

export function adminOf(playground: Playground, clientId: string): () => Promise<UiAdmin> {
  return lazyConnected(() => {
    const admin: UiAdmin = playground.kafka({ clientId }).admin();
    return admin;
  });
}

export function producerOf(playground: Playground, clientId: string): () => Promise<UiProducer> {
  return lazyConnected(() => {
    const producer: UiProducer = playground.kafka({ clientId }).producer();
    return producer;
  });
}

/** What KafkaJS's producer.send resolves to: one RecordMetadata per partition written. */
export interface SentRecord { topicName: string; partition: number; offset: string | null }

export function readSendResult(result: unknown): SentRecord[] {
  if (!Array.isArray(result)) return [];
  return result.map((r: Record<string, unknown>) => {
    const offset = r.baseOffset ?? r.offset;
    return {
      topicName: String(r.topicName ?? r.topic ?? ''),
      partition: Number(r.partition ?? -1),
      offset: offset === undefined || offset === null || String(offset) === '-1' ? null : String(offset),
    };
  });
}

/** What the Start consumer form sends: Playground.startConsumer's options, KafkaJS's names. */
/** Consumer applications, each in its own Web Worker: start one, stop it (LeaveGroup) or kill its worker. */
export interface UiConsumerApps {
  startConsumer(options: StartConsumerOptions): Promise<string>;
  stopClient(id: string): Promise<unknown> | unknown;
  killClient(id: string): Promise<unknown> | unknown;
}

/** The playground's consumer applications (assigned to the slice, so the method names are checked). */
export function consumerAppsOf(playground: Playground): UiConsumerApps {
  const apps: UiConsumerApps = playground;
  return apps;
}
