/**
 * The experiment's own clients on the page: a KafkaJS-shaped producer whose every acknowledged
 * record (partition, offset, value) goes into the ledger, and a reader that goes through every
 * partition from its log start to its high watermark once the faults are over.
 */
import type { ScenarioApi } from '../scenario/apply';
import { wallSleep, type ClusterClock } from '../scenario/clock';
import type { Ledger } from './ledger';
import type { ProbeConfig } from './model';
import { errorTypeOf } from '../ui/format';

/** The Kafka error name of a failed send (UNKNOWN passed over for a nested, more telling one), else the error's own name. */
export function errorType(error: unknown): string {
  const type = errorTypeOf(error, 'UNKNOWN');
  if (type) return type;
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && name !== 'Error' ? name : 'ERROR';
}

type Producer = ReturnType<ReturnType<ScenarioApi['kafka']>['producer']>;

export class ProbeProducer {
  private producer: Producer | null = null;
  private sent = 0;
  private readonly pending = new Set<Promise<void>>();
  private loop: { stop: boolean; done: Promise<void> } | null = null;

  constructor(
    private readonly api: ScenarioApi,
    private readonly topic: string,
    private readonly config: ProbeConfig,
    private readonly ledger: Ledger,
    private readonly onChange: () => void,
  ) {}

  async connect(clientId: string): Promise<void> {
    const kafka = this.api.kafka({
      clientId,
      ...(this.config.requestTimeout ? { requestTimeout: this.config.requestTimeout } : {}),
      ...(this.config.retries !== undefined ? { retry: { retries: this.config.retries } } : {}),
    });
    this.producer = kafka.producer({ idempotent: this.config.idempotent === true, allowAutoTopicCreation: false });
    await this.producer.connect();
  }

  /** Sends in flight now (background sends and the loop's). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** One record; resolves when it is acknowledged (booked) or failed for good (its error booked). */
  send(): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('the probe producer is not connected');
    const value = this.ledger.valueFor(this.sent++);
    const done = producer.send({ topic: this.topic, acks: this.config.acks, messages: [{ value }] }).then(
      (metadata) => {
        const m = metadata[0];
        const offset = Number(m?.baseOffset ?? m?.offset ?? -1);
        // acks=0 has no answer, so no offset: such a record is sent, never acknowledged.
        if (m && offset >= 0) this.ledger.ack(value, { partition: m.partition, offset });
      },
      (error: unknown) => this.ledger.fail(errorType(error)),
    ).finally(() => {
      this.pending.delete(done);
      this.onChange();
    });
    this.pending.add(done);
    return done;
  }

  async produce(count: number, signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < count; i++) {
      signal?.throwIfAborted();
      await this.send();
    }
  }

  /** Sends one record after another, `everyMs` of cluster time apart, until stopLoop(). */
  startLoop(everyMs: number, clock: ClusterClock, signal?: AbortSignal): void {
    const loop = { stop: false, done: Promise.resolve() };
    loop.done = (async () => {
      while (!loop.stop && !signal?.aborted) {
        await this.send();
        await clock.sleep(everyMs, signal).catch(() => undefined);
      }
    })();
    this.loop = loop;
  }

  async stopLoop(): Promise<void> {
    if (!this.loop) return;
    this.loop.stop = true;
    await this.loop.done;
    this.loop = null;
  }

  /** Waits until every send has its answer; false when `timeoutMs` of cluster time passed first. */
  async settle(clock: ClusterClock, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return clock.until(() => this.pending.size === 0, timeoutMs, signal, 25);
  }

  async disconnect(): Promise<void> {
    if (this.loop) this.loop.stop = true;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }
}

/**
 * Reads every partition of `topic` from its log start to its high watermark, as
 * kafka-console-consumer.sh --from-beginning would, retrying while a partition has no leader.
 * Returns each record's partition, offset and value.
 */
export async function readLog(api: ScenarioApi, topic: string, partitions: number, clock: ClusterClock, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ partition: number; offset: number; value: string }[]> {
  const reader = api.kafka({ clientId: 'experiment-reader' }).partitionReader();
  const records: { partition: number; offset: number; value: string }[] = [];
  const decoder = new TextDecoder();
  const until = clock.now() + (options.timeoutMs ?? 60_000);
  for (let partition = 0; partition < partitions; partition++) {
    for (;;) {
      try {
        const { logStartOffset, highWatermark } = await reader.offsets(topic, partition);
        let offset = logStartOffset;
        const found: typeof records = [];
        while (offset < highWatermark) {
          const read = await reader.read(topic, partition, offset);
          for (const r of read.records) found.push({ partition, offset: r.offset, value: r.value ? decoder.decode(r.value) : '' });
          if (read.nextOffset <= offset) break;
          offset = read.nextOffset;
        }
        records.push(...found);
        break;
      } catch (error) {
        if (clock.now() > until) throw new Error(`could not read ${topic}-${partition}: ${(error as Error).message}`, { cause: error });
        await wallSleep(200, options.signal);
      }
    }
  }
  return records;
}
