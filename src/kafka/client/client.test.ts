/**
 * The client against a small fake cluster: brokers that answer the APIs from one shared
 * in-memory state, over an in-memory Transport (delivery by queueMicrotask) and a manual clock.
 * The real brokers are exercised by the simulation tests; this checks the client's own logic.
 */
import { describe, expect, it } from 'vitest';
import { Rpc } from '../common/rpc';
import type { NodeEvent } from '../events';
import type { Clock, Random, TimerHandle, Transport } from '../ports';
import { errorCode, type ErrorName } from '../protocol/errors';
import type {
  ApiKey, CreateTopicsRequest, DeleteTopicsRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
  JoinGroupRequest, OffsetCommitRequest, OffsetFetchRequest, ProduceRequest, SyncGroupRequest,
} from '../protocol/messages';
import { concatBytes } from '../common/serial';
import { decodeRecords, encodeBatch, readBatchHeader, setBaseOffset } from '../storage/recordBatch';
import { decodeSubscription, encodeAssignment } from '../group/consumerProtocol';
import { KafkaBuffer, toKafkaBuffer } from './buffer';
import { CompressionTypes, Kafka, KafkaProtocolError, PartitionAssigners, Partitioners, type EachBatchPayload, type KafkaMessage } from './index';
import { partitionForKey } from './partitioner';

// ---- Fake time, network, randomness ------------------------------------------------------------

class FakeClock implements Clock {
  t = 1_000_000.25; // a cluster clock may be fractional
  private seq = 0;
  private timers: { at: number; seq: number; cb: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.t;
  }
  setTimer(delayMs: number, cb: () => void): TimerHandle {
    const timer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, cb, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  /** Runs the earliest pending timer (moving time to it); false when none is left. */
  runNext(): boolean {
    this.timers = this.timers.filter((t) => !t.cancelled);
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = this.timers.shift()!;
    this.t = Math.max(this.t, timer.at);
    timer.cb();
    return true;
  }
}

const seeded = (seed = 42): Random => {
  let s = seed >>> 0;
  return { next: () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) };
};

/** Lets every pending microtask and promise chain run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Sent { from: string; to: string; message: { type: string; api: ApiKey; body: any } }

class FakeNet {
  readonly handlers = new Map<string, (from: string, message: unknown) => void>();
  readonly log: Sent[] = [];
  transport(self: string): Transport {
    return {
      self,
      send: (to, message) => {
        this.log.push({ from: self, to, message: message as Sent['message'] });
        queueMicrotask(() => this.handlers.get(to)?.(self, message));
      },
      onReceive: (handler) => { this.handlers.set(self, handler); },
    };
  }
  requests(api: ApiKey): Sent[] {
    return this.log.filter((s) => s.message.type === 'request' && s.message.api === api);
  }
}

// ---- Fake cluster ------------------------------------------------------------------------------

/**
 * A group coordinator for groups of one member: every JoinGroup (after MEMBER_ID_REQUIRED) is a
 * new generation led by its sender. The real coordinator is exercised in consumer.group.test.ts.
 */
function loneMemberGroup(groups: Map<string, { generation: number; assignment: Uint8Array }>, api: ApiKey, body: any): unknown {
  const group = groups.get(body.groupId) ?? { generation: 0, assignment: new Uint8Array() };
  groups.set(body.groupId, group);
  switch (api) {
    case 'JoinGroup': {
      const req = body as JoinGroupRequest;
      const memberId = req.memberId || `${req.clientId}-member`;
      const answer = { generationId: group.generation, protocolType: 'consumer', protocolName: req.protocols[0].name, leader: memberId, memberId };
      if (!req.memberId) return { ...answer, errorCode: errorCode('MEMBER_ID_REQUIRED'), members: [] };
      group.generation++;
      return { ...answer, errorCode: 0, generationId: group.generation, members: [{ memberId, groupInstanceId: null, metadata: req.protocols[0].metadata }] };
    }
    case 'SyncGroup': {
      const req = body as SyncGroupRequest;
      group.assignment = req.assignments.find((a) => a.memberId === req.memberId)?.assignment ?? group.assignment;
      return { errorCode: 0, protocolType: 'consumer', protocolName: req.protocolName, assignment: group.assignment };
    }
    case 'LeaveGroup':
      return { errorCode: 0, members: [] };
    default:
      return { errorCode: 0 };
  }
}

interface FakePartition { leader: number; batches: { baseOffset: number; lastOffset: number; bytes: Uint8Array }[]; logEnd: number; logStart: number }

class FakeCluster {
  readonly clock = new FakeClock();
  readonly net = new FakeNet();
  readonly events: NodeEvent[] = [];
  readonly topics = new Map<string, FakePartition[]>();
  readonly committed = new Map<string, number>();
  readonly groups = new Map<string, { generation: number; assignment: Uint8Array }>();
  /** Return a response to override the broker's answer (undefined: answer normally). */
  intercept: (broker: number, api: ApiKey, body: any) => unknown = () => undefined;
  /** Appended after a Fetch's records: a cut-off batch, as a real fetch can end with. */
  partialTail: Uint8Array | null = null;

  constructor(readonly brokerIds = [1, 2]) {
    for (const id of brokerIds) {
      const rpc = new Rpc(this.net.transport(`broker-${id}`), this.clock, () => {});
      rpc.serve(async (_from, api, body) => {
        const override = this.intercept(id, api, body);
        if (override !== undefined) return override;
        return this.handle(id, api, body);
      });
    }
  }

  createTopic(name: string, partitions: number, leaders?: number[]): void {
    this.topics.set(name, Array.from({ length: partitions }, (_, i) => ({
      leader: leaders?.[i] ?? this.brokerIds[i % this.brokerIds.length], batches: [], logEnd: 0, logStart: 0,
    })));
  }

  kafka(config: ConstructorParameters<typeof Kafka>[0] = {}): Kafka {
    return new Kafka({ clientId: 'test', brokers: ['ignored:9092'], ...config }, {
      transport: this.net.transport('client-1'), clock: this.clock, random: seeded(),
      events: (e) => this.events.push(e), bootstrapBrokers: () => this.brokerIds,
    });
  }

  async records(topic: string, partition: number): Promise<{ offset: number; key: string | null; value: string | null }[]> {
    const out = [];
    for (const batch of this.topics.get(topic)![partition].batches) {
      for (const r of await decodeRecords(batch.bytes)) {
        out.push({ offset: r.offset, key: r.key && new TextDecoder().decode(r.key), value: r.value && new TextDecoder().decode(r.value) });
      }
    }
    return out;
  }

  /** Appends records directly (as if another producer wrote them). */
  async append(topic: string, partition: number, values: string[]): Promise<void> {
    const p = this.topics.get(topic)![partition];
    const bytes = await encodeBatch({ records: values.map((v) => ({ key: null, value: new TextEncoder().encode(v), timestamp: Math.floor(this.clock.now()) })) });
    setBaseOffset(bytes, p.logEnd);
    p.batches.push({ baseOffset: p.logEnd, lastOffset: p.logEnd + values.length - 1, bytes });
    p.logEnd += values.length;
  }

  private partitionError(broker: number, topic: string, index: number): ErrorName | null {
    const p = this.topics.get(topic)?.[index];
    if (!p) return 'UNKNOWN_TOPIC_OR_PARTITION';
    return p.leader === broker ? null : 'NOT_LEADER_OR_FOLLOWER';
  }

  private async handle(broker: number, api: ApiKey, body: any): Promise<unknown> {
    switch (api) {
      case 'Metadata': {
        const req = body as MetadataRequest;
        const names = req.topics ?? [...this.topics.keys()];
        return {
          clusterId: 'fake', controllerId: this.brokerIds[0],
          brokers: this.brokerIds.map((id) => ({ nodeId: id, host: `broker-${id}`, port: 9092, rack: null })),
          topics: names.map((name) => {
            const partitions = this.topics.get(name);
            if (!partitions) {
              if (req.allowAutoTopicCreation) this.createTopic(name, 1);
              return { name, topicId: '', errorCode: errorCode(req.allowAutoTopicCreation ? 'LEADER_NOT_AVAILABLE' : 'UNKNOWN_TOPIC_OR_PARTITION'), isInternal: false, partitions: [] };
            }
            return {
              name, topicId: `id-${name}`, errorCode: 0, isInternal: false,
              partitions: partitions.map((p, i) => ({
                partitionIndex: i, errorCode: 0, leaderId: p.leader, leaderEpoch: 0, replicaNodes: [p.leader], isrNodes: [p.leader], offlineReplicas: [],
              })),
            };
          }),
        };
      }
      case 'Produce': {
        const req = body as ProduceRequest;
        const responses = req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((d) => {
            const error = this.partitionError(broker, t.name, d.index);
            if (error) return { index: d.index, errorCode: errorCode(error), baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
            const p = this.topics.get(t.name)![d.index];
            const bytes = d.records.slice();
            const header = readBatchHeader(bytes);
            const baseOffset = p.logEnd;
            setBaseOffset(bytes, baseOffset);
            p.batches.push({ baseOffset, lastOffset: baseOffset + header.recordCount - 1, bytes });
            p.logEnd += header.recordCount;
            return { index: d.index, errorCode: 0, baseOffset, logAppendTimeMs: -1, logStartOffset: p.logStart };
          }),
        }));
        return req.acks === 0 ? undefined : { responses };
      }
      case 'Fetch': {
        const req = body as FetchRequest;
        const read = () => req.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((fp) => {
            const error = this.partitionError(broker, t.topic, fp.partition);
            const p = this.topics.get(t.topic)?.[fp.partition];
            if (error || !p) return { partitionIndex: fp.partition, errorCode: errorCode(error ?? 'UNKNOWN_TOPIC_OR_PARTITION'), highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null };
            if (fp.fetchOffset > p.logEnd || fp.fetchOffset < p.logStart) {
              return { partitionIndex: fp.partition, errorCode: errorCode('OFFSET_OUT_OF_RANGE'), highWatermark: p.logEnd, lastStableOffset: p.logEnd, logStartOffset: p.logStart, records: null };
            }
            const parts = p.batches.filter((b) => b.lastOffset >= fp.fetchOffset).map((b) => b.bytes);
            if (parts.length > 0 && this.partialTail) parts.push(this.partialTail);
            return { partitionIndex: fp.partition, errorCode: 0, highWatermark: p.logEnd, lastStableOffset: p.logEnd, logStartOffset: p.logStart, records: concatBytes(parts) };
          }),
        }));
        let responses = read();
        const empty = responses.every((t) => t.partitions.every((p) => p.errorCode === 0 && (p.records?.length ?? 0) === 0));
        if (empty && req.maxWaitMs > 0) {
          await new Promise<void>((resolve) => this.clock.setTimer(req.maxWaitMs, resolve));
          responses = read();
        }
        return { errorCode: 0, responses };
      }
      case 'ListOffsets': {
        const req = body as ListOffsetsRequest;
        return {
          topics: req.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((lp) => {
              const error = this.partitionError(broker, t.name, lp.partitionIndex);
              const p = this.topics.get(t.name)?.[lp.partitionIndex];
              if (error || !p) return { partitionIndex: lp.partitionIndex, errorCode: errorCode(error ?? 'UNKNOWN_TOPIC_OR_PARTITION'), timestamp: -1, offset: -1, leaderEpoch: -1 };
              return { partitionIndex: lp.partitionIndex, errorCode: 0, timestamp: -1, offset: lp.timestamp === -2 ? p.logStart : p.logEnd, leaderEpoch: 0 };
            }),
          })),
        };
      }
      case 'FindCoordinator':
        return { errorCode: 0, errorMessage: null, nodeId: this.brokerIds[0], host: `broker-${this.brokerIds[0]}`, port: 9092 };
      case 'JoinGroup':
      case 'SyncGroup':
      case 'Heartbeat':
      case 'LeaveGroup':
        return loneMemberGroup(this.groups, api, body);
      case 'OffsetCommit': {
        const req = body as OffsetCommitRequest;
        for (const t of req.topics) for (const p of t.partitions) this.committed.set(`${req.groupId}/${t.name}/${p.partitionIndex}`, p.committedOffset);
        return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) };
      }
      case 'OffsetFetch': {
        const req = body as OffsetFetchRequest;
        return {
          errorCode: 0,
          topics: (req.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((i) => ({
              partitionIndex: i, committedOffset: this.committed.get(`${req.groupId}/${t.name}/${i}`) ?? -1, committedLeaderEpoch: -1, metadata: null, errorCode: 0,
            })),
          })),
        };
      }
      case 'CreateTopics': {
        const req = body as CreateTopicsRequest;
        return {
          topics: req.topics.map((t) => {
            if (this.topics.has(t.name)) return { name: t.name, topicId: '', errorCode: errorCode('TOPIC_ALREADY_EXISTS'), errorMessage: `Topic '${t.name}' already exists.`, numPartitions: -1, replicationFactor: -1 };
            if (t.replicationFactor > this.brokerIds.length) return { name: t.name, topicId: '', errorCode: errorCode('INVALID_REPLICATION_FACTOR'), errorMessage: 'too few brokers', numPartitions: -1, replicationFactor: -1 };
            if (!req.validateOnly) this.createTopic(t.name, t.numPartitions === -1 ? 1 : t.numPartitions);
            return { name: t.name, topicId: `id-${t.name}`, errorCode: 0, errorMessage: null, numPartitions: t.numPartitions, replicationFactor: 1 };
          }),
        };
      }
      case 'DeleteTopics': {
        const req = body as DeleteTopicsRequest;
        return {
          responses: req.topicNames.map((name) => {
            const existed = this.topics.delete(name);
            return { name, errorCode: existed ? 0 : errorCode('UNKNOWN_TOPIC_OR_PARTITION'), errorMessage: null };
          }),
        };
      }
      default:
        return { errorCode: errorCode('UNSUPPORTED_VERSION') };
    }
  }

  /** Awaits `promise`, running the clock's timers one by one while it is pending. */
  async drive<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
    let done = false;
    promise.then(() => { done = true; }, () => { done = true; });
    const start = this.clock.t;
    for (;;) {
      await settle();
      if (done) return promise;
      if (this.clock.t - start > maxMs || !this.clock.runNext()) throw new Error('drive: the promise never settled');
    }
  }

  /** Runs timers until `condition` holds. */
  async until(condition: () => boolean, maxMs = 600_000): Promise<void> {
    const start = this.clock.t;
    for (;;) {
      await settle();
      if (condition()) return;
      if (this.clock.t - start > maxMs || !this.clock.runNext()) throw new Error('until: the condition never held');
    }
  }

  /** Runs timers for `ms` of clock time. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.t + ms;
    await this.until(() => this.clock.t >= target);
    this.clock.t = Math.max(this.clock.t, target);
    await settle();
  }
}

const text = (m: KafkaMessage) => m.value?.toString() ?? null;

// ---- Producer ----------------------------------------------------------------------------------

describe('producer', () => {
  it('sends a key to its murmur2 partition every time, and an explicit partition wins', async () => {
    const fake = new FakeCluster();
    fake.createTopic('orders', 3);
    const producer = fake.kafka().producer();
    await fake.drive(producer.connect());
    const first = await fake.drive(producer.send({ topic: 'orders', messages: [{ key: 'user-7', value: 'a' }] }));
    const second = await fake.drive(producer.send({ topic: 'orders', messages: [{ key: 'user-7', value: 'b' }] }));
    const explicit = await fake.drive(producer.send({ topic: 'orders', messages: [{ key: 'user-7', value: 'c', partition: (first[0].partition + 1) % 3 }] }));

    expect(first[0].partition).toBe(partitionForKey('user-7', 3));
    expect(second[0].partition).toBe(first[0].partition);
    expect(explicit[0].partition).toBe((first[0].partition + 1) % 3);
    expect(first[0]).toEqual({ topicName: 'orders', partition: first[0].partition, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' });
    expect(second[0].baseOffset).toBe('1');
    expect((await fake.records('orders', first[0].partition)).map((r) => r.value)).toEqual(['a', 'b']);
  });

  it('sends one Produce request per leader broker, with one batch per partition', async () => {
    const fake = new FakeCluster([1, 2]);
    fake.createTopic('t', 4, [1, 2, 1, 2]);
    const producer = fake.kafka().producer();
    await fake.drive(producer.connect());
    const result = await fake.drive(producer.send({ topic: 't', messages: Array.from({ length: 8 }, (_, i) => ({ value: `v${i}` })) }));

    const produces = fake.net.requests('Produce');
    expect(produces.map((p) => p.to).sort()).toEqual(['broker-1', 'broker-2']);
    for (const p of produces) expect((p.message.body as ProduceRequest).topicData[0].partitionData).toHaveLength(2);
    expect(result.map((r) => r.partition).sort()).toEqual([0, 1, 2, 3]);
    let total = 0;
    for (let i = 0; i < 4; i++) total += (await fake.records('t', i)).length;
    expect(total).toBe(8);
  });

  it('with linger.ms, sends of the same window share one batch and each gets its own offset', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const producer = fake.kafka().producer({ 'linger.ms': 50 });
    await fake.drive(producer.connect());
    const a = producer.send({ topic: 't', messages: [{ value: 'one' }] });
    const b = producer.send({ topic: 't', messages: [{ value: 'two' }, { value: 'three' }] });
    await settle();
    expect(fake.net.requests('Produce')).toHaveLength(0); // still lingering
    const [ra, rb] = await fake.drive(Promise.all([a, b]));

    const produces = fake.net.requests('Produce');
    expect(produces).toHaveLength(1);
    const records = (produces[0].message.body as ProduceRequest).topicData[0].partitionData[0].records;
    expect(readBatchHeader(records).recordCount).toBe(3);
    expect(ra[0].baseOffset).toBe('0');
    expect(rb[0].baseOffset).toBe('1');
  });

  it('with linger.ms, a batch that reaches batch.size is sent at once', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const producer = fake.kafka().producer({ 'linger.ms': 60_000, batchSize: 200 });
    await fake.drive(producer.connect());
    const start = fake.clock.now();
    const sends = Array.from({ length: 6 }, (_, i) => producer.send({ topic: 't', messages: [{ value: 'x'.repeat(50) + i }] }));
    await settle();
    expect(fake.net.requests('Produce').length).toBeGreaterThanOrEqual(1);
    await fake.drive(producer.disconnect()); // flushes the rest
    const results = await Promise.all(sends);
    expect(fake.clock.now() - start).toBeLessThan(60_000);
    expect(results.map((r) => r[0].baseOffset)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('acks=0 resolves without waiting for an answer', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const producer = fake.kafka().producer();
    await fake.drive(producer.connect());
    let result: unknown = null;
    void producer.send({ topic: 't', acks: 0, messages: [{ value: 'fire' }] }).then((r) => { result = r; });
    await settle(); // no clock movement needed
    expect(result).toEqual([{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '-1', logAppendTime: '-1', logStartOffset: '-1' }]);
    expect(fake.net.log.filter((s) => s.message.type === 'response' && s.message.api === 'Produce')).toHaveLength(0);
    expect((await fake.records('t', 0)).map((r) => r.value)).toEqual(['fire']);
  });

  it('retries NOT_LEADER_OR_FOLLOWER after refreshing metadata, then succeeds at the new leader', async () => {
    const fake = new FakeCluster([1, 2]);
    fake.createTopic('t', 1, [1]);
    const producer = fake.kafka().producer();
    await fake.drive(producer.connect());
    await fake.drive(producer.send({ topic: 't', messages: [{ value: 'before' }] }));
    fake.topics.get('t')![0].leader = 2; // leadership moved; the client's cache still says 1
    const metadataBefore = fake.net.requests('Metadata').length;

    const result = await fake.drive(producer.send({ topic: 't', messages: [{ value: 'after' }] }));
    expect(result[0].baseOffset).toBe('1');
    expect(fake.net.requests('Produce').map((p) => p.to)).toEqual(['broker-1', 'broker-1', 'broker-2']);
    expect(fake.net.requests('Metadata').length).toBeGreaterThan(metadataBefore);
  });

  it('rejects a non-retriable error with its Kafka name, topic and partition, and reports it', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    fake.intercept = (_broker, api, body) => api === 'Produce'
      ? { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: errorCode('MESSAGE_TOO_LARGE'), baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: 'too big' }] }] }
      : (void body, undefined);
    const producer = fake.kafka().producer();
    await fake.drive(producer.connect());
    const error = await fake.drive(producer.send({ topic: 't', messages: [{ value: 'x' }] })).catch((e) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error.type).toBe('MESSAGE_TOO_LARGE');
    expect(error.retriable).toBe(false);
    expect(error.message).toContain('topic t, partition 0');
    expect(fake.net.requests('Produce')).toHaveLength(1);
    expect(fake.events.some((e) => e.type === 'client-error' && e.error === 'MESSAGE_TOO_LARGE')).toBe(true);
  });

  it('gives up after the configured retries on a retriable error', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    fake.intercept = (_broker, api) => api === 'Produce'
      ? { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: errorCode('NOT_ENOUGH_REPLICAS'), baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 }] }] }
      : undefined;
    const producer = fake.kafka({ retry: { retries: 2, initialRetryTime: 100 } }).producer();
    await fake.drive(producer.connect());
    const error = await fake.drive(producer.send({ topic: 't', messages: [{ value: 'x' }] })).catch((e) => e);
    expect(error.type).toBe('NOT_ENOUGH_REPLICAS');
    expect(error.retriable).toBe(true);
    expect(fake.net.requests('Produce')).toHaveLength(3);
  });

  it('creates an unknown topic through metadata auto-creation and compresses', async () => {
    const fake = new FakeCluster([1]);
    const kafka = fake.kafka();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await fake.drive(producer.connect());
    const result = await fake.drive(producer.send({
      topic: 'fresh', compression: CompressionTypes.Snappy,
      messages: [{ key: new TextEncoder().encode('k'), value: 'v', headers: { trace: 'abc', multi: ['1', '2'] } }],
    }));
    expect(result[0].topicName).toBe('fresh');
    const stored = fake.topics.get('fresh')![0].batches[0].bytes;
    expect(readBatchHeader(stored).compression).toBe('snappy');
    const [record] = await decodeRecords(stored);
    expect(record.headers.map((h) => [h.key, new TextDecoder().decode(h.value!)])).toEqual([['trace', 'abc'], ['multi', '1'], ['multi', '2']]);
  });

  it('refuses to send before connect', async () => {
    const fake = new FakeCluster([1]);
    const producer = fake.kafka().producer();
    await expect(producer.send({ topic: 't', messages: [{ value: 'x' }] })).rejects.toThrow(/disconnected/);
  });
});

// ---- Consumer ----------------------------------------------------------------------------------

describe('consumer', () => {
  it('starts at the committed offset, delivers in order, and commits the next offset to read', async () => {
    const fake = new FakeCluster([1, 2]);
    fake.createTopic('t', 1, [2]);
    await fake.append('t', 0, ['m0', 'm1', 'm2']); // one batch: the fetch returns it from offset 0
    await fake.append('t', 0, ['m3', 'm4']);
    fake.committed.set('g/t/0', 1);

    const consumer = fake.kafka().consumer({ groupId: 'g' });
    const joins: any[] = [];
    const commits: any[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload));
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) => commits.push(e.payload));
    await fake.drive(consumer.connect());
    await consumer.subscribe({ topic: 't' });
    const seen: KafkaMessage[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(message); } }));
    await fake.until(() => seen.length === 4);

    expect(seen.map(text)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(seen.map((m) => m.offset)).toEqual(['1', '2', '3', '4']);
    expect(seen[0].value).toBeInstanceOf(KafkaBuffer);
    expect(String(seen[0].value)).toBe('m1');
    expect(joins[0]).toMatchObject({ groupId: 'g', isLeader: true, memberAssignment: { t: [0] }, groupProtocol: 'RoundRobinAssigner' });
    expect(fake.net.requests('Fetch').every((f) => f.to === 'broker-2')).toBe(true);

    await fake.advance(6_000); // past autoCommitInterval: the next round commits
    expect(fake.committed.get('g/t/0')).toBe(5);
    expect(commits.at(-1)).toMatchObject({ groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: '0', offset: '5' }] }] });

    await fake.append('t', 0, ['m5']);
    await fake.until(() => seen.length === 5);
    await fake.drive(consumer.disconnect()); // commits on stop
    expect(fake.committed.get('g/t/0')).toBe(6);
    expect(seen.map(text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']); // nothing twice
  });

  it('without a committed offset starts at the latest offset, or the earliest with fromBeginning', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 2);
    await fake.append('t', 0, ['old-0']);
    await fake.append('t', 1, ['old-1']);
    const kafka = fake.kafka();

    const latest = kafka.consumer({ groupId: 'latest' });
    const early = kafka.consumer({ groupId: 'early' });
    const fromLatest: string[] = [];
    const fromEarliest: string[] = [];
    await latest.subscribe({ topic: 't' });
    await early.subscribe({ topics: [/^t$/], fromBeginning: true });
    await fake.drive(latest.run({ eachMessage: async ({ message }) => { fromLatest.push(text(message)!); } }));
    await fake.drive(early.run({ eachMessage: async ({ message }) => { fromEarliest.push(text(message)!); } }));
    await fake.advance(100);
    await fake.append('t', 0, ['new-0']);
    await fake.until(() => fromLatest.length === 1 && fromEarliest.length === 3);
    expect(fromLatest).toEqual(['new-0']);
    expect(fromEarliest.sort()).toEqual(['new-0', 'old-0', 'old-1']);
    await fake.drive(Promise.all([latest.stop(), early.stop()]));
  });

  it('retries the same message after eachMessage throws, with a CRASH event', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b', 'c']);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    const crashes: any[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload));
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const calls: string[] = [];
    let failed = false;
    await fake.drive(consumer.run({
      eachMessage: async ({ message }) => {
        calls.push(text(message)!);
        if (text(message) === 'b' && !failed) {
          failed = true;
          throw new Error('handler bug');
        }
      },
    }));
    await fake.until(() => calls.length === 4);
    expect(calls).toEqual(['a', 'b', 'b', 'c']);
    expect(crashes).toHaveLength(1);
    expect(crashes[0].error.message).toBe('handler bug');
    expect(fake.events.some((e) => e.type === 'client-error' && e.operation === 'eachMessage')).toBe(true);
    await fake.drive(consumer.stop());
    expect(fake.committed.get('g/t/0')).toBe(3);
  });

  it('skips records before the fetch offset and ignores a partial batch at the end', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['r0', 'r1', 'r2', 'r3']);
    const whole = fake.topics.get('t')![0].batches[0].bytes;
    fake.partialTail = whole.slice(0, whole.length - 5);
    fake.committed.set('g/t/0', 2);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't' });
    const seen: string[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 2);
    await fake.advance(12_000);
    expect(seen).toEqual(['r2', 'r3']);
    expect(fake.events.filter((e) => e.type === 'client-error')).toEqual([]);
    await fake.drive(consumer.stop());
  });

  it('reports a first batch larger than the fetch size (CORRUPT_MESSAGE), and hands records their batch context', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b']);
    const whole = fake.topics.get('t')![0].batches[0].bytes;
    let cut = true;
    fake.intercept = (_broker, api) => (api === 'Fetch' && cut
      ? { errorCode: 0, responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 2, lastStableOffset: 2, logStartOffset: 0, records: whole.slice(0, whole.length - 5) }] }] }
      : undefined);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: KafkaMessage[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(message); } }));
    await fake.until(() => fake.events.some((e) => e.type === 'client-error' && e.operation === 'Fetch'));
    const error = fake.events.find((e) => e.type === 'client-error' && e.operation === 'Fetch');
    expect(error?.type === 'client-error' && error.message).toMatch(/CORRUPT_MESSAGE: the first batch at offset 0 is larger than the fetch size/);
    expect(seen).toEqual([]);
    cut = false;
    await fake.until(() => seen.length === 2);
    expect(seen.map(text)).toEqual(['a', 'b']);
    expect(seen[1].batchContext).toMatchObject({ firstOffset: '0', lastOffsetDelta: 1, isControlBatch: false, producerId: '-1', magicByte: 2 });
    await fake.drive(consumer.stop());
  });

  it('resets an out-of-range position, seeks, pauses and resumes', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b', 'c']);
    fake.committed.set('g/t/0', 99); // beyond the log end
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: string[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 3);
    expect(seen).toEqual(['a', 'b', 'c']);

    consumer.seek({ topic: 't', partition: 0, offset: '1' });
    await fake.until(() => seen.length === 5);
    expect(seen.slice(3)).toEqual(['b', 'c']);

    consumer.pause([{ topic: 't' }]);
    expect(consumer.paused()).toEqual([{ topic: 't', partitions: [0] }]);
    await fake.advance(6_000); // any round in flight ends
    await fake.append('t', 0, ['d']);
    await fake.advance(6_000);
    expect(seen).toHaveLength(5);
    consumer.resume([{ topic: 't' }]);
    await fake.until(() => seen.length === 6);
    expect(seen[5]).toBe('d');
    await fake.drive(consumer.stop());
  });

  it('hands eachBatch the batch API and resolves its offsets', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b', 'c']);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const batches: { first: string | null; last: string; lag: string; hw: string; values: string[] }[] = [];
    await fake.drive(consumer.run({
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload) => {
        expect(isRunning()).toBe(true);
        expect(isStale()).toBe(false);
        batches.push({ first: batch.firstOffset(), last: batch.lastOffset(), lag: batch.offsetLag(), hw: batch.highWatermark, values: batch.messages.map(text) as string[] });
        for (const m of batch.messages) resolveOffset(m.offset);
      },
    }));
    await fake.until(() => batches.length === 1);
    expect(batches[0]).toEqual({ first: '0', last: '2', lag: '0', hw: '3', values: ['a', 'b', 'c'] });
    await fake.drive(consumer.stop());
    expect(fake.committed.get('g/t/0')).toBe(3);
  });

  it('follows a partition to its new leader after NOT_LEADER_OR_FOLLOWER', async () => {
    const fake = new FakeCluster([1, 2]);
    fake.createTopic('t', 1, [1]);
    const consumer = fake.kafka().consumer({ groupId: 'g', maxWaitTimeInMs: 1000 });
    await consumer.subscribe({ topic: 't' });
    const seen: string[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.advance(100);
    fake.topics.get('t')![0].leader = 2;
    await fake.append('t', 0, ['moved']);
    await fake.until(() => seen.length === 1);
    expect(seen).toEqual(['moved']);
    expect(fake.net.requests('Fetch').at(-1)!.to).toBe('broker-2');
    await fake.drive(consumer.stop());
  });

  it('keeps consuming the other partitions while one has no leader', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 2, [1, -1]);
    await fake.append('t', 0, ['p0']);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: string[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 1, 5_000);
    fake.topics.get('t')![1].leader = 1;
    await fake.append('t', 1, ['p1']);
    await fake.until(() => seen.length === 2, 60_000);
    expect(seen).toEqual(['p0', 'p1']);
    await fake.drive(consumer.stop());
  });

  it('cooperative: SyncGroup answered ILLEGAL_GENERATION mid-rebalance: the partitions are lost, nothing committed, and the next JoinGroup claims none (generation -1)', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 2);
    await fake.append('t', 0, ['a']);
    await fake.append('t', 1, ['b']);
    const consumer = fake.kafka().consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.cooperativeSticky] });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: string[] = [];
    await fake.drive(consumer.run({ autoCommitInterval: 600_000, eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 2);
    const joins = fake.net.requests('JoinGroup').length;
    // The next heartbeat says the group is rebalancing; that rebalance's SyncGroup says the generation is over.
    let heartbeat = true;
    let sync = true;
    fake.intercept = (_broker, api) => {
      if (api === 'Heartbeat' && heartbeat) {
        heartbeat = false;
        return { errorCode: errorCode('REBALANCE_IN_PROGRESS') };
      }
      if (api === 'SyncGroup' && sync) {
        sync = false;
        return { errorCode: errorCode('ILLEGAL_GENERATION'), protocolType: 'consumer', protocolName: 'cooperative-sticky', assignment: new Uint8Array() };
      }
      return undefined;
    };
    await fake.until(() => seen.length === 4);
    const subscriptions = fake.net.requests('JoinGroup').slice(joins).map((r) => decodeSubscription(r.message.body.protocols[0].metadata));
    expect(subscriptions.map((m) => [m.ownedPartitions, m.generationId])).toEqual([[[{ topic: 't', partitions: [0, 1] }], 1], [[], -1]]);
    // Nothing was committed for the lost partitions: they came again from the group's offsets (none: the beginning).
    expect(fake.net.requests('OffsetCommit')).toHaveLength(0);
    expect(seen).toEqual(['a', 'b', 'a', 'b']);
    const revokes = fake.events.filter((e) => e.type === 'consumer-rebalance' && e.phase === 'revoke');
    expect(revokes.map((e) => e.type === 'consumer-rebalance' && e.partitions)).toEqual([[{ topic: 't', partitions: [0, 1] }]]);
    expect(fake.events.some((e) => e.type === 'log' && /SyncGroup for group g: ILLEGAL_GENERATION/.test(e.message))).toBe(true);
    await fake.drive(consumer.stop());
  });

  it('stop() waits for the commits queued before it: each goes out with the generation and member id it was queued under, before LeaveGroup', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't' });
    await fake.drive(consumer.run({ eachMessage: async () => {} }));
    // The coordinator is slow to answer the first OffsetCommit: the second waits behind it.
    let release = () => {};
    fake.intercept = (_broker, api, body: OffsetCommitRequest) => {
      if (api !== 'OffsetCommit' || fake.net.requests('OffsetCommit').length > 1) return undefined;
      return new Promise((resolve) => {
        release = () => resolve({ topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) });
      });
    };
    const first = consumer.commitOffsets([{ topic: 't', partition: 0, offset: '5' }]);
    const second = consumer.commitOffsets([{ topic: 't', partition: 0, offset: '6' }]);
    const stopped = consumer.stop();
    await fake.advance(1000);
    release();
    await fake.drive(Promise.all([first, second, stopped]));
    const commits = fake.net.requests('OffsetCommit').map((r) => [r.message.body.generationIdOrMemberEpoch, r.message.body.memberId]);
    expect(commits).toEqual([[1, 'test-member'], [1, 'test-member']]);
    const order = fake.net.log.filter((s) => s.message.type === 'request').map((s) => s.message.api);
    expect(order.lastIndexOf('OffsetCommit')).toBeLessThan(order.indexOf('LeaveGroup'));
  });

  it('refuses to commit while in its group without a generation (joining): ILLEGAL_GENERATION, nothing sent', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't' });
    let release = () => {};
    fake.intercept = (_broker, api, body) => {
      if (api !== 'SyncGroup') return undefined;
      return new Promise((resolve) => { release = () => resolve(loneMemberGroup(fake.groups, api, body)); });
    };
    const running = consumer.run({ eachMessage: async () => {} });
    await fake.until(() => fake.net.requests('SyncGroup').length === 1);
    const error = await fake.drive(consumer.commitOffsets([{ topic: 't', partition: 0, offset: '5' }])).catch((e) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error.type).toBe('ILLEGAL_GENERATION');
    expect(fake.net.requests('OffsetCommit')).toHaveLength(0);
    release();
    await fake.drive(running);
    await fake.drive(consumer.commitOffsets([{ topic: 't', partition: 0, offset: '5' }]));
    expect(fake.committed.get('g/t/0')).toBe(5);
    await fake.drive(consumer.stop());
  });

  it('a commit answered after its partition was lost and assigned again leaves the new assignment alone: it starts from the group\'s offset', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b', 'c', 'd', 'e']);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: string[] = [];
    await fake.drive(consumer.run({ autoCommit: false, eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 5);
    // The answer to a commit of offset 5 is slow; meanwhile a heartbeat finds the member gone, and the
    // first OffsetFetch of its next assignment fails (so the position is looked up again later).
    let answerCommit = () => {};
    let heartbeat = true;
    let offsetFetch = true;
    fake.intercept = (_broker, api, body) => {
      if (api === 'OffsetCommit') {
        const req = body as OffsetCommitRequest;
        return new Promise((resolve) => {
          answerCommit = () => resolve({ topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) });
        });
      }
      if (api === 'Heartbeat' && heartbeat) {
        heartbeat = false;
        return { errorCode: errorCode('UNKNOWN_MEMBER_ID') };
      }
      if (api === 'OffsetFetch' && offsetFetch) {
        offsetFetch = false;
        return { errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode: errorCode('UNSTABLE_OFFSET_COMMIT') }] }] };
      }
      return undefined;
    };
    const committing = consumer.commitOffsets([{ topic: 't', partition: 0, offset: '5' }]);
    await fake.until(() => !offsetFetch);
    // Partition 0 is this member's again; since its commit another member consumed and committed up to 7.
    fake.committed.set('g/t/0', 7);
    await fake.append('t', 0, ['f', 'g', 'h']);
    answerCommit();
    await fake.drive(committing);
    await fake.until(() => seen.includes('h'));
    expect(seen.slice(5)).toEqual(['h']);
    await fake.drive(consumer.stop());
  });

  it('a position looked up for an assignment that was lost meanwhile is not given to the next one: that starts from the group\'s offset', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    await fake.append('t', 0, ['a', 'b', 'c', 'd', 'e']);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await consumer.subscribe({ topic: 't' });
    // No committed offset: the first assignment asks for the latest offset, and the answer is slow;
    // meanwhile a heartbeat finds the member gone and it joins again.
    let answerListOffsets = () => {};
    let listOffsets = true;
    let heartbeat = true;
    fake.intercept = (_broker, api) => {
      if (api === 'ListOffsets' && listOffsets) {
        listOffsets = false;
        return new Promise((resolve) => {
          answerListOffsets = () => resolve({ topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 5, leaderEpoch: 0 }] }] });
        });
      }
      if (api === 'Heartbeat' && heartbeat) {
        heartbeat = false;
        return { errorCode: errorCode('UNKNOWN_MEMBER_ID') };
      }
      return undefined;
    };
    const seen: string[] = [];
    await fake.drive(consumer.run({ eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    const syncs = fake.net.requests('SyncGroup').length;
    await fake.until(() => fake.net.requests('SyncGroup').length > syncs);
    await fake.advance(100);
    // Another member had the partition meanwhile and committed offset 2.
    fake.committed.set('g/t/0', 2);
    answerListOffsets();
    await fake.until(() => seen.length === 3);
    expect(seen).toEqual(['c', 'd', 'e']);
    await fake.drive(consumer.stop());
  });

  it('a commit of revoked partitions leaves the other partitions\' count towards autoCommitThreshold', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 2);
    await fake.append('t', 0, ['a0', 'a1']);
    await fake.append('t', 1, ['b0']);
    const consumer = fake.kafka().consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.cooperativeSticky] });
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: string[] = [];
    await fake.drive(consumer.run({ autoCommitInterval: 600_000, autoCommitThreshold: 4, eachMessage: async ({ message }) => { seen.push(text(message)!); } }));
    await fake.until(() => seen.length === 3);
    expect(fake.net.requests('OffsetCommit')).toHaveLength(0);
    // The group rebalances and partition 1 goes to another member: it is revoked, its offset committed.
    let heartbeat = true;
    fake.intercept = (_broker, api) => {
      if (api === 'Heartbeat' && heartbeat) {
        heartbeat = false;
        return { errorCode: errorCode('REBALANCE_IN_PROGRESS') };
      }
      if (api === 'SyncGroup') {
        return { errorCode: 0, protocolType: 'consumer', protocolName: 'cooperative-sticky', assignment: encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0] }], userData: null }) };
      }
      return undefined;
    };
    await fake.until(() => fake.committed.get('g/t/1') === 1);
    expect(fake.committed.has('g/t/0')).toBe(false);
    // Two more records on partition 0 make four processed since it was last committed.
    await fake.append('t', 0, ['a2', 'a3']);
    await fake.until(() => seen.length === 5);
    await fake.advance(100);
    expect(fake.committed.get('g/t/0')).toBe(4);
    await fake.drive(consumer.stop());
  });

  it('takes an assignment by topic, sorted, each partition once, leaving out topics it does not subscribe to', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 3);
    fake.createTopic('other', 1);
    fake.intercept = (_broker, api, body: SyncGroupRequest) => (api === 'SyncGroup'
      ? { errorCode: 0, protocolType: 'consumer', protocolName: body.protocolName, assignment: encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [2, 0] }, { topic: 'other', partitions: [0] }, { topic: 't', partitions: [0] }], userData: null }) }
      : undefined);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    const joins: Record<string, number[]>[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload.memberAssignment));
    await consumer.subscribe({ topic: 't' });
    await fake.drive(consumer.run({ eachMessage: async () => {} }));
    expect(joins).toEqual([{ t: [0, 2] }]);
    const assigns = fake.events.filter((e) => e.type === 'consumer-rebalance' && e.phase === 'assign');
    expect(assigns.map((e) => e.type === 'consumer-rebalance' && e.partitions)).toEqual([[{ topic: 't', partitions: [0, 2] }]]);
    await fake.drive(consumer.stop());
  });

  it('commitOffsets goes to the coordinator', async () => {
    const fake = new FakeCluster([1]);
    fake.createTopic('t', 1);
    const consumer = fake.kafka().consumer({ groupId: 'g' });
    await fake.drive(consumer.commitOffsets([{ topic: 't', partition: 0, offset: '7' }]));
    expect(fake.committed.get('g/t/0')).toBe(7);
    expect(fake.net.requests('FindCoordinator')).toHaveLength(1);
  });
});

// ---- Admin -------------------------------------------------------------------------------------

describe('admin', () => {
  it('creates topics (false when they exist), throws other errors with type, lists and describes', async () => {
    const fake = new FakeCluster([1, 2]);
    const admin = fake.kafka().admin();
    await fake.drive(admin.connect());
    expect(await fake.drive(admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }] }))).toBe(true);
    expect(await fake.drive(admin.createTopics({ topics: [{ topic: 'a' }] }))).toBe(false);
    const error = await fake.drive(admin.createTopics({ topics: [{ topic: 'b', replicationFactor: 5 }, { topic: 'a' }] })).catch((e) => e);
    expect(error.type).toBe('INVALID_REPLICATION_FACTOR');
    expect(error.errors.map((e: KafkaProtocolError) => e.type)).toEqual(['INVALID_REPLICATION_FACTOR', 'TOPIC_ALREADY_EXISTS']);

    expect(await fake.drive(admin.listTopics())).toEqual(['a']);
    const metadata = await fake.drive(admin.fetchTopicMetadata({ topics: ['a'] }));
    expect(metadata.topics[0]).toEqual({
      name: 'a',
      partitions: [
        { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] },
        { partitionErrorCode: 0, partitionId: 1, leader: 2, replicas: [2], isr: [2], offlineReplicas: [] },
      ],
    });
    await fake.append('a', 1, ['x', 'y']);
    fake.topics.get('a')![1].logStart = 1;
    expect(await fake.drive(admin.fetchTopicOffsets('a'))).toEqual([
      { partition: 0, offset: '0', high: '0', low: '0' },
      { partition: 1, offset: '2', high: '2', low: '1' },
    ]);
    await fake.drive(admin.deleteTopics({ topics: ['a'] }));
    expect(await fake.drive(admin.listTopics())).toEqual([]);
    await fake.drive(admin.disconnect());
  });

  it('tries the next bootstrap broker when one does not answer', async () => {
    const fake = new FakeCluster([1, 2]);
    fake.intercept = (broker, api) => (broker === 1 && api === 'Metadata' ? new Promise(() => {}) : undefined);
    const admin = fake.kafka().admin();
    const topics = await fake.drive(admin.listTopics());
    expect(topics).toEqual([]);
    expect(fake.net.requests('Metadata').some((r) => r.to === 'broker-2')).toBe(true);
  });
});

describe('KafkaBuffer', () => {
  it('decodes UTF-8 in toString and serializes like a Buffer', () => {
    const buffer = toKafkaBuffer(new TextEncoder().encode('héllo'));
    expect(buffer.toString()).toBe('héllo');
    expect(`${buffer}`).toBe('héllo');
    expect(JSON.parse(toKafkaBuffer(new TextEncoder().encode('{"a":1}')) as unknown as string)).toEqual({ a: 1 });
    expect(buffer.toString('hex')).toBe('68c3a96c6c6f');
    expect(buffer.toString('base64')).toBe(Buffer.from('héllo').toString('base64'));
    expect(JSON.stringify(toKafkaBuffer(new Uint8Array([1, 2])))).toBe('{"type":"Buffer","data":[1,2]}');
  });
});
