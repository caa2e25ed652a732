/**
 * The idempotent producer against fake brokers over the simulated network: each fake leader
 * keeps a real ProducerStateManager, so duplicates and gaps are judged as a real leader judges them.
 */
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../sim/network';
import { SeededRandom } from '../../sim/random';
import { SimScheduler } from '../../sim/scheduler';
import { Rpc } from '../common/rpc';
import { brokerAddress } from '../config';
import type { NodeEvent } from '../events';
import { KafkaProtocolError, errorCode, type ErrorName } from '../protocol/errors';
import type { ApiKey, MetadataRequest, ProducePartitionResponse, ProduceRequest } from '../protocol/messages';
import { ProducerStateManager } from '../storage/producerStateManager';
import { decodeRecords, readBatchHeader, setBaseOffset } from '../storage/recordBatch';
import { Kafka } from './index';

interface WireBatch { broker: number; partition: number; producerId: number; producerEpoch: number; baseSequence: number; records: number }
interface FakePartition { leader: number; batches: Uint8Array[]; logEnd: number; producers: ProducerStateManager }

class FakeCluster {
  readonly scheduler = new SimScheduler();
  readonly net = new SimNetwork(this.scheduler, new SeededRandom(7), { minLatencyMs: 1, maxLatencyMs: 1, dropRate: 0 });
  readonly events: NodeEvent[] = [];
  readonly partitions: FakePartition[];
  /** Every Produce batch as it reached a broker, in arrival order. */
  readonly wire: WireBatch[] = [];
  readonly initRequests: { producerId: number; producerEpoch: number }[] = [];
  private nextProducerId = 4000;
  /** Per Produce request (0-based count): append but never answer (the response is "lost"). */
  swallow: (produceIndex: number) => boolean = () => false;
  /** Per Produce request: answer this error for every partition without appending. */
  refuse: (produceIndex: number) => ErrorName | null = () => null;
  /** Per InitProducerId request: answer this error instead. */
  refuseInit: (initIndex: number) => ErrorName | null = () => null;
  /** How long a broker takes to answer a Produce. */
  produceLatencyMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  private produceCount = 0;

  constructor(readonly brokerIds: number[], leaders: number[]) {
    this.partitions = leaders.map((leader) => ({ leader, batches: [], logEnd: 0, producers: new ProducerStateManager() }));
    for (const id of brokerIds) {
      const address = brokerAddress(id);
      const rpc = new Rpc(this.net.attach(address), this.scheduler.clockFor(address), () => {});
      rpc.serve((_from, api, body) => this.handle(id, api, body));
    }
  }

  kafka(retry = { initialRetryTime: 50, retries: 5 }): Kafka {
    return new Kafka({ clientId: 'test', requestTimeout: 1000, retry }, {
      transport: this.net.attach('client-1'), clock: this.scheduler.clockFor('client-1'), random: new SeededRandom(3),
      events: (e) => this.events.push(e), bootstrapBrokers: () => this.brokerIds,
    });
  }

  run<T>(promise: Promise<T>): Promise<T> {
    return this.scheduler.await(promise, 600_000);
  }

  async values(partition: number): Promise<string[]> {
    const out: string[] = [];
    for (const bytes of this.partitions[partition].batches) for (const r of await decodeRecords(bytes)) out.push(new TextDecoder().decode(r.value!));
    return out;
  }

  private async handle(broker: number, api: ApiKey, body: any): Promise<unknown> {
    switch (api) {
      case 'Metadata': {
        const topics = (body as MetadataRequest).topics ?? ['t'];
        return {
          clusterId: 'fake', controllerId: this.brokerIds[0],
          brokers: this.brokerIds.map((nodeId) => ({ nodeId, host: brokerAddress(nodeId), port: 9092, rack: null })),
          topics: topics.map((name) => name !== 't'
            ? { name, topicId: '', errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION'), isInternal: false, partitions: [] }
            : {
              name, topicId: 'id-t', errorCode: 0, isInternal: false,
              partitions: this.partitions.map((p, i) => ({ partitionIndex: i, errorCode: 0, leaderId: p.leader, leaderEpoch: 0, replicaNodes: [p.leader], isrNodes: [p.leader], offlineReplicas: [] })),
            }),
        };
      }
      case 'InitProducerId': {
        this.initRequests.push({ producerId: body.producerId, producerEpoch: body.producerEpoch });
        const refused = this.refuseInit(this.initRequests.length - 1);
        if (refused) return { errorCode: errorCode(refused), producerId: -1, producerEpoch: -1 };
        return { errorCode: 0, producerId: this.nextProducerId++, producerEpoch: 0 };
      }
      case 'Produce': {
        const index = this.produceCount++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        if (this.produceLatencyMs > 0) await new Promise<void>((resolve) => this.scheduler.schedule(this.produceLatencyMs, brokerAddress(broker), resolve));
        this.inFlight--;
        const refused = this.refuse(index);
        const req = body as ProduceRequest;
        const responses = req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((d): ProducePartitionResponse => {
            const header = readBatchHeader(d.records);
            this.wire.push({ broker, partition: d.index, producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, records: header.recordCount });
            const fail = (type: ErrorName) => ({ index: d.index, errorCode: errorCode(type), baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 });
            const p = this.partitions[d.index];
            if (p.leader !== broker) return fail('NOT_LEADER_OR_FOLLOWER');
            if (refused) return fail(refused);
            try {
              const check = p.producers.checkAppend(header);
              if (check) return { index: d.index, errorCode: 0, baseOffset: check.duplicate.firstOffset, logAppendTimeMs: -1, logStartOffset: 0 };
            } catch (error) {
              return fail((error as KafkaProtocolError).type);
            }
            const bytes = d.records.slice();
            const baseOffset = p.logEnd;
            setBaseOffset(bytes, baseOffset);
            p.batches.push(bytes);
            p.logEnd += header.recordCount;
            p.producers.onAppended(header, baseOffset, p.logEnd - 1);
            return { index: d.index, errorCode: 0, baseOffset, logAppendTimeMs: -1, logStartOffset: 0 };
          }),
        }));
        return this.swallow(index) ? undefined : { responses };
      }
      default:
        return { errorCode: errorCode('UNSUPPORTED_VERSION') };
    }
  }
}

const messages = (...values: string[]) => values.map((value) => ({ value, partition: 0 }));

describe('idempotent producer', () => {
  it('gets a producer id once and stamps every batch with it and per-partition sequences', async () => {
    const fake = new FakeCluster([1, 2], [1, 2]);
    const producer = fake.kafka().producer({ idempotent: true });
    expect(producer.isIdempotent()).toBe(true);
    await fake.run(producer.connect());
    expect(fake.initRequests).toEqual([{ producerId: -1, producerEpoch: -1 }]);
    expect(fake.events).toContainEqual(expect.objectContaining({ type: 'producer-id', node: 'client-1', producerId: 4000, producerEpoch: 0 }));

    await fake.run(producer.send({ topic: 't', messages: messages('a', 'b', 'c') }));
    await fake.run(producer.send({ topic: 't', messages: [...messages('d', 'e'), { value: 'x', partition: 1 }] }));
    await fake.run(producer.send({ topic: 't', messages: [{ value: 'y', partition: 1 }] }));

    expect(fake.wire.map(({ partition, producerId, producerEpoch, baseSequence, records }) => ({ partition, producerId, producerEpoch, baseSequence, records }))).toEqual([
      { partition: 0, producerId: 4000, producerEpoch: 0, baseSequence: 0, records: 3 },
      { partition: 0, producerId: 4000, producerEpoch: 0, baseSequence: 3, records: 2 },
      { partition: 1, producerId: 4000, producerEpoch: 0, baseSequence: 0, records: 1 },
      { partition: 1, producerId: 4000, producerEpoch: 0, baseSequence: 1, records: 1 },
    ]);
    expect(fake.initRequests).toHaveLength(1);
  });

  it('re-sends a timed-out batch with the same sequence, and the leader answers with the original offset', async () => {
    const fake = new FakeCluster([1], [1]);
    fake.swallow = (i) => i === 0; // the first Produce is written but its answer never comes
    const producer = fake.kafka().producer({ idempotent: true });
    await fake.run(producer.connect());
    const [result] = await fake.run(producer.send({ topic: 't', messages: messages('a', 'b'), timeout: 500 }));

    expect(fake.wire).toHaveLength(2);
    expect(fake.wire[1]).toEqual(fake.wire[0]);
    expect(fake.wire[0]).toMatchObject({ producerId: 4000, baseSequence: 0, records: 2 });
    expect(result.baseOffset).toBe('0');
    expect(await fake.values(0)).toEqual(['a', 'b']);
    expect(fake.events.some((e) => e.type === 'client-error')).toBe(false);

    const [next] = await fake.run(producer.send({ topic: 't', messages: messages('c') }));
    expect(next.baseOffset).toBe('2');
    expect(fake.wire[2]).toMatchObject({ baseSequence: 2 });
    expect(await fake.values(0)).toEqual(['a', 'b', 'c']);
  });

  it('without idempotence the same lost answer writes the batch twice', async () => {
    const fake = new FakeCluster([1], [1]);
    fake.swallow = (i) => i === 0;
    const producer = fake.kafka().producer();
    await fake.run(producer.connect());
    await fake.run(producer.send({ topic: 't', messages: messages('a'), timeout: 500 }));
    expect(fake.wire[0]).toMatchObject({ producerId: -1, baseSequence: -1 });
    expect(await fake.values(0)).toEqual(['a', 'a']);
  });

  it('keeps one batch per partition in flight, so a retried batch is never overtaken', async () => {
    const fake = new FakeCluster([1], [1]);
    fake.produceLatencyMs = 20;
    fake.refuse = (i) => (i < 2 ? 'NOT_ENOUGH_REPLICAS' : null); // the first batch fails twice, retriably
    const producer = fake.kafka().producer({ idempotent: true });
    await fake.run(producer.connect());
    const first = producer.send({ topic: 't', messages: messages('a1', 'a2') });
    const second = producer.send({ topic: 't', messages: messages('b1') });
    const third = producer.send({ topic: 't', messages: messages('c1') });
    const results = await fake.run(Promise.all([first, second, third]));

    expect(fake.maxInFlight).toBe(1);
    expect(fake.wire.map((w) => w.baseSequence)).toEqual([0, 0, 0, 2, 3]);
    expect(results.map(([r]) => r.baseOffset)).toEqual(['0', '2', '3']);
    expect(await fake.values(0)).toEqual(['a1', 'a2', 'b1', 'c1']);
  });

  it('sends the batches of one partition from a linger window in order, one after the other', async () => {
    const fake = new FakeCluster([1], [1]);
    const producer = fake.kafka().producer({ idempotent: true, 'linger.ms': 10 });
    await fake.run(producer.connect());
    // Different compression: two open batches for the same partition, drained together.
    const plain = producer.send({ topic: 't', messages: messages('p1', 'p2') });
    const snappy = producer.send({ topic: 't', messages: messages('g1'), compression: 'snappy' });
    await fake.run(Promise.all([plain, snappy]));
    expect(fake.wire.map((w) => [w.baseSequence, w.records])).toEqual([[0, 2], [2, 1]]);
    expect(await fake.values(0)).toEqual(['p1', 'p2', 'g1']);
  });

  it('hands OUT_OF_ORDER_SEQUENCE_NUMBER to the caller, then starts over with a new producer id', async () => {
    const fake = new FakeCluster([1], [1]);
    fake.refuse = (i) => (i === 1 ? 'OUT_OF_ORDER_SEQUENCE_NUMBER' : null);
    const producer = fake.kafka().producer({ idempotent: true });
    await fake.run(producer.connect());
    await fake.run(producer.send({ topic: 't', messages: messages('a') }));
    const error = await fake.run(producer.send({ topic: 't', messages: messages('b') })).catch((e) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false, topic: 't', partition: 0 });
    expect(fake.wire).toHaveLength(2); // not retried
    expect(fake.events).toContainEqual(expect.objectContaining({ type: 'client-error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));

    await fake.run(producer.send({ topic: 't', messages: messages('c') }));
    expect(fake.initRequests).toEqual([{ producerId: -1, producerEpoch: -1 }, { producerId: 4000, producerEpoch: 0 }]);
    expect(fake.wire[2]).toMatchObject({ producerId: 4001, baseSequence: 0 });
    expect(fake.events.filter((e) => e.type === 'producer-id').map((e) => (e as { producerId: number }).producerId)).toEqual([4000, 4001]);
    expect(await fake.values(0)).toEqual(['a', 'c']);
  });

  it('retries InitProducerId while the broker has no producer id block yet', async () => {
    const fake = new FakeCluster([1], [1]);
    fake.refuseInit = (i) => (i < 2 ? 'COORDINATOR_LOAD_IN_PROGRESS' : null);
    const producer = fake.kafka().producer({ idempotent: true });
    await fake.run(producer.connect());
    expect(fake.initRequests).toHaveLength(3);
    await fake.run(producer.send({ topic: 't', messages: messages('a') }));
    expect(fake.wire[0]).toMatchObject({ producerId: 4000, baseSequence: 0 });
  });

  it('requires acks -1 and retries, as KafkaJS', async () => {
    const fake = new FakeCluster([1], [1]);
    const kafka = fake.kafka();
    expect(() => kafka.producer({ idempotent: true, retry: { retries: 0 } })).toThrow(/must allow retries/);
    const producer = kafka.producer({ idempotent: true });
    await fake.run(producer.connect());
    await expect(producer.send({ topic: 't', messages: messages('a'), acks: 1 })).rejects.toMatchObject({ name: 'KafkaJSNonRetriableError', retriable: false });
    expect(fake.wire).toHaveLength(0);
    expect(() => kafka.producer({ transactionalId: 'tx' })).toThrow(/Transactions/);
  });
});

describe('maxInFlightRequests', () => {
  it('bounds the Produce requests in progress per broker', async () => {
    const sendThree = async (config: { maxInFlightRequests?: number }) => {
      const fake = new FakeCluster([1], [1, 1, 1]);
      fake.produceLatencyMs = 50;
      const producer = fake.kafka().producer(config);
      await fake.run(producer.connect());
      await fake.run(Promise.all([0, 1, 2].map((partition) => producer.send({ topic: 't', messages: [{ value: 'v', partition }] }))));
      return fake.maxInFlight;
    };
    expect(await sendThree({})).toBe(3);
    expect(await sendThree({ maxInFlightRequests: 1 })).toBe(1);
    expect(await sendThree({ maxInFlightRequests: 2 })).toBe(2);
  });
});
