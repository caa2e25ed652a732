/**
 * KIP-392 on the consumer's side: fetching from the replica the leader names. Three fake brokers
 * on the SimNetwork (1 on rack-a leads, 2 on rack-b and 3 on rack-c follow) answer Metadata,
 * ListOffsets, the group calls and Fetch as Kafka's do: the leader, asked by a consumer with a
 * rackId, names a live replica in that rack holding the fetch offset (preferredReadReplica) and
 * returns no records; a follower serves consumers up to its own high watermark.
 */
import { describe, expect, it } from 'vitest';
import { Rpc } from '../common/rpc';
import { brokerAddress } from '../config';
import type { Transport } from '../ports';
import { errorCode, type ErrorName } from '../protocol/errors';
import type { ApiKey, FetchRequest, FetchResponse, JoinGroupRequest, ListOffsetsRequest, MetadataResponse, OffsetCommitRequest, OffsetFetchRequest, SyncGroupRequest } from '../protocol/messages';
import { concatBytes } from '../common/serial';
import { encodeBatch, setBaseOffset } from '../storage/recordBatch';
import { SimNetwork } from '../../sim/network';
import { SeededRandom } from '../../sim/random';
import { SimScheduler } from '../../sim/scheduler';
import { Kafka, type ConsumerConfig } from './index';

const TOPIC = 'orders';
const RACKS: Record<number, string> = { 1: 'rack-a', 2: 'rack-b', 3: 'rack-c' };
const LEADER = 1;

interface SentFetch { time: number; to: number; body: FetchRequest }

class RackCluster {
  readonly scheduler = new SimScheduler();
  readonly net: SimNetwork;
  readonly random = new SeededRandom(7);
  readonly batches: { offset: number; bytes: Uint8Array }[] = [];
  /** Each broker's high watermark: a follower's may trail the leader's. */
  readonly highWatermark = new Map<number, number>([[1, 0], [2, 0], [3, 0]]);
  /** The next Fetch answer from a broker carries this error for the partition. */
  readonly failNext = new Map<number, ErrorName>();
  readonly fetches: SentFetch[] = [];
  readonly listOffsets: number[] = [];
  private generation = 0;

  constructor() {
    this.net = new SimNetwork(this.scheduler, this.random.fork());
    for (const id of [1, 2, 3]) {
      const address = brokerAddress(id);
      const rpc = new Rpc(this.net.attach(address), this.scheduler.clockFor(address), () => {});
      rpc.serve(async (_from, api, body) => this.handle(id, api, body));
    }
  }

  /** Appends one record per value on every replica; `hw` sets the high watermarks (default: all at the end). */
  async append(values: string[], hw?: Partial<Record<number, number>>): Promise<void> {
    for (const value of values) {
      const offset = this.batches.length;
      const bytes = await encodeBatch({ records: [{ key: null, value: new TextEncoder().encode(value), timestamp: this.scheduler.now }] });
      setBaseOffset(bytes, offset);
      this.batches.push({ offset, bytes });
    }
    for (const id of [1, 2, 3]) this.highWatermark.set(id, hw?.[id] ?? this.batches.length);
  }

  kafka(): Kafka {
    const inner = this.net.attach('client-1');
    const transport: Transport = {
      ...inner,
      send: (to, message, transfer) => {
        const m = message as { type: string; api: ApiKey; body: unknown };
        if (m.type === 'request' && m.api === 'Fetch') this.fetches.push({ time: this.scheduler.now, to: Number(to.split('-')[1]), body: m.body as FetchRequest });
        inner.send(to, message, transfer);
      },
    };
    return new Kafka({ clientId: 'rack-test', requestTimeout: 2000, retry: { initialRetryTime: 50, retries: 5 } }, {
      transport, clock: this.scheduler.clockFor('client-1'), random: this.random.fork(), events: () => {},
      bootstrapBrokers: () => [1, 2, 3],
    });
  }

  /** Starts a consumer of TOPIC from the beginning; `received` fills as eachMessage sees records. */
  async consume(config: Partial<ConsumerConfig>) {
    const consumer = this.kafka().consumer({ groupId: 'g', maxWaitTimeInMs: 1000, ...config });
    const received: { value: string; time: number }[] = [];
    await this.scheduler.await(consumer.connect());
    await this.scheduler.await(consumer.subscribe({ topic: TOPIC, fromBeginning: true }));
    await this.scheduler.await(consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ value: message.value!.toString(), time: this.scheduler.now });
      },
    }));
    return { consumer, received };
  }

  fetchesTo(id: number, since = 0): SentFetch[] {
    return this.fetches.filter((f) => f.to === id && f.time >= since);
  }

  private metadata(): MetadataResponse {
    return {
      clusterId: 'rack-test', controllerId: 100,
      brokers: [1, 2, 3].map((id) => ({ nodeId: id, host: brokerAddress(id), port: 9092, rack: RACKS[id] })),
      topics: [{
        name: TOPIC, topicId: 'orders-id', errorCode: 0, isInternal: false,
        partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: LEADER, leaderEpoch: 0, replicaNodes: [1, 2, 3], isrNodes: [1, 2, 3], offlineReplicas: [] }],
      }],
    };
  }

  private read(id: number, req: FetchRequest): FetchResponse {
    return {
      errorCode: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((fp) => {
          const hw = this.highWatermark.get(id)!;
          const answer = { partitionIndex: fp.partition, highWatermark: hw, lastStableOffset: hw, logStartOffset: 0, preferredReadReplica: -1 };
          const injected = this.failNext.get(id);
          if (injected) {
            this.failNext.delete(id);
            return { ...answer, errorCode: errorCode(injected), records: null };
          }
          if (fp.fetchOffset > this.batches.length) return { ...answer, errorCode: errorCode('OFFSET_OUT_OF_RANGE'), records: null };
          if (id === LEADER && req.rackId) {
            // RackAwareReplicaSelector: a live replica in the client's rack that has the fetch offset.
            const chosen = [2, 3].find((r) => RACKS[r] === req.rackId && this.net.isUp(brokerAddress(r)) && this.batches.length >= fp.fetchOffset);
            if (chosen !== undefined) return { ...answer, errorCode: 0, records: null, preferredReadReplica: chosen };
          }
          const parts = this.batches.filter((b) => b.offset >= fp.fetchOffset && b.offset < hw).map((b) => b.bytes);
          return { ...answer, errorCode: 0, records: concatBytes(parts) };
        }),
      })),
    };
  }

  private async handle(id: number, api: ApiKey, body: any): Promise<unknown> {
    switch (api) {
      case 'Metadata':
        return this.metadata();
      case 'Fetch': {
        const req = body as FetchRequest;
        let response = this.read(id, req);
        const empty = response.responses.every((t) => t.partitions.every((p) => p.errorCode === 0 && !p.records?.length && (p.preferredReadReplica ?? -1) < 0));
        if (empty && req.maxWaitMs > 0) {
          // Long poll: wait for records, as a broker holds an empty fetch up to maxWaitMs.
          await new Promise<void>((resolve) => this.scheduler.clockFor(brokerAddress(id)).setTimer(req.maxWaitMs, resolve));
          response = this.read(id, req);
        }
        return response;
      }
      case 'ListOffsets': {
        const req = body as ListOffsetsRequest;
        this.listOffsets.push(this.scheduler.now);
        return {
          topics: req.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex, errorCode: id === LEADER ? 0 : errorCode('NOT_LEADER_OR_FOLLOWER'), timestamp: -1,
              offset: p.timestamp === -2 ? 0 : this.highWatermark.get(LEADER)!, leaderEpoch: 0,
            })),
          })),
        };
      }
      case 'FindCoordinator':
        return { errorCode: 0, errorMessage: null, nodeId: LEADER, host: brokerAddress(LEADER), port: 9092 };
      case 'JoinGroup': {
        // A group of one: this consumer leads every generation (the real coordinator is tested elsewhere).
        const req = body as JoinGroupRequest;
        const answer = { generationId: ++this.generation, protocolType: 'consumer', protocolName: req.protocols[0].name, leader: 'member-1', memberId: 'member-1' };
        if (!req.memberId) return { ...answer, errorCode: errorCode('MEMBER_ID_REQUIRED'), members: [] };
        return { ...answer, errorCode: 0, members: [{ memberId: 'member-1', groupInstanceId: null, metadata: req.protocols[0].metadata }] };
      }
      case 'SyncGroup': {
        const req = body as SyncGroupRequest;
        return { errorCode: 0, protocolType: 'consumer', protocolName: req.protocolName, assignment: req.assignments[0]?.assignment ?? new Uint8Array() };
      }
      case 'Heartbeat':
        return { errorCode: 0 };
      case 'LeaveGroup':
        return { errorCode: 0, members: [] };
      case 'OffsetFetch': {
        const req = body as OffsetFetchRequest;
        return {
          errorCode: 0,
          topics: (req.topics ?? []).map((t) => ({
            name: t.name, partitions: t.partitionIndexes.map((i) => ({ partitionIndex: i, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode: 0 })),
          })),
        };
      }
      case 'OffsetCommit': {
        const req = body as OffsetCommitRequest;
        return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) };
      }
      default:
        throw new Error(`fake broker does not serve ${api}`);
    }
  }
}

const values = (received: { value: string }[]) => received.map((r) => r.value);

describe('consumer with rackId (KIP-392, fetch from the closest replica)', () => {
  it('sends rackId, follows the preferred read replica, and reads only up to that replica\'s high watermark', async () => {
    const c = new RackCluster();
    await c.append(['a', 'b', 'c', 'd', 'e'], { 1: 5, 2: 3, 3: 5 });
    const { consumer, received } = await c.consume({ rackId: 'rack-b' });
    await c.scheduler.runUntilTrue(() => received.length >= 3, 10_000, 'records from the replica');
    await c.scheduler.runFor(3000);

    // The first fetch asks the leader, with the rack; every later one goes to broker 2 (rack-b).
    expect(c.fetches[0].to).toBe(LEADER);
    expect(c.fetches.every((f) => f.body.rackId === 'rack-b')).toBe(true);
    expect(c.fetches.slice(1).every((f) => f.to === 2)).toBe(true);
    expect(c.fetchesTo(2).length).toBeGreaterThan(2);
    // Broker 2's high watermark is 3: offsets 3 and 4 are not read although the leader has them.
    expect(values(received)).toEqual(['a', 'b', 'c']);

    c.highWatermark.set(2, 5);
    await c.scheduler.runUntilTrue(() => received.length === 5, 5000, 'the replica\'s high watermark to advance');
    expect(values(received)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.fetchesTo(LEADER)).toHaveLength(1);
    await c.scheduler.await(consumer.disconnect());
  });

  it('without rackId sends no rack and fetches from the leader only', async () => {
    const c = new RackCluster();
    await c.append(['a', 'b']);
    const { consumer, received } = await c.consume({});
    await c.scheduler.runUntilTrue(() => received.length === 2, 10_000, 'records');
    await c.scheduler.runFor(3000);
    expect(c.fetches.length).toBeGreaterThan(1);
    expect(c.fetches.every((f) => f.to === LEADER && f.body.rackId === undefined)).toBe(true);
    await c.scheduler.await(consumer.disconnect());
  });

  it('a rack with no replica keeps the consumer on the leader', async () => {
    const c = new RackCluster();
    await c.append(['a', 'b']);
    const { consumer, received } = await c.consume({ rackId: 'rack-z' });
    await c.scheduler.runUntilTrue(() => received.length === 2, 10_000, 'records');
    await c.scheduler.runFor(3000);
    expect(c.fetches.every((f) => f.to === LEADER)).toBe(true);
    await c.scheduler.await(consumer.disconnect());
  });

  for (const error of ['NOT_LEADER_OR_FOLLOWER', 'REPLICA_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'OFFSET_OUT_OF_RANGE'] as ErrorName[]) {
    it(`goes back to the leader when the replica answers ${error}`, async () => {
      const c = new RackCluster();
      await c.append(['a', 'b', 'c']);
      const { consumer, received } = await c.consume({ rackId: 'rack-c' });
      await c.scheduler.runUntilTrue(() => received.length === 3, 10_000, 'records from the replica');
      expect(c.fetches.at(-1)!.to).toBe(3);
      const listOffsetsBefore = c.listOffsets.length;

      c.failNext.set(3, error);
      const failedAt = c.scheduler.now;
      await c.scheduler.runUntilTrue(() => c.fetchesTo(LEADER, failedAt).length > 0, 10_000, 'a fetch to the leader');
      const back = c.fetchesTo(LEADER, failedAt)[0];
      // Same position: the replica's error never resets the offset (no ListOffsets, no skipped records).
      expect(back.body.topics[0].partitions[0].fetchOffset).toBe(3);
      expect(c.listOffsets.length).toBe(listOffsetsBefore);

      // The leader names the replica again, and new records come from it.
      await c.append(['d']);
      await c.scheduler.runUntilTrue(() => received.length === 4, 10_000, 'the next record');
      expect(values(received)).toEqual(['a', 'b', 'c', 'd']);
      expect(c.fetches.at(-1)!.to).toBe(3);
      await c.scheduler.await(consumer.disconnect());
    });
  }

  it('goes back to the leader when the replica\'s process dies (NETWORK_EXCEPTION), and keeps reading there', async () => {
    const c = new RackCluster();
    await c.append(['a', 'b']);
    const { consumer, received } = await c.consume({ rackId: 'rack-b' });
    await c.scheduler.runUntilTrue(() => received.length === 2, 10_000, 'records from the replica');
    expect(c.fetches.at(-1)!.to).toBe(2);

    c.net.detach(brokerAddress(2));
    const killedAt = c.scheduler.now;
    await c.append(['c', 'd']);
    await c.scheduler.runUntilTrue(() => received.length === 4, 10_000, 'records after the kill');
    expect(values(received)).toEqual(['a', 'b', 'c', 'd']);
    expect(c.fetchesTo(LEADER, killedAt).length).toBeGreaterThan(0);
    await c.scheduler.runFor(3000);
    expect(c.fetches.at(-1)!.to).toBe(LEADER);
    await c.scheduler.await(consumer.disconnect());
  });

  it('goes back to the leader when a fetch to the replica times out', async () => {
    const c = new RackCluster();
    await c.append(['a']);
    const { consumer, received } = await c.consume({ rackId: 'rack-b' });
    await c.scheduler.runUntilTrue(() => received.length === 1, 10_000, 'a record from the replica');
    c.net.cut('client-1', brokerAddress(2));
    const cutAt = c.scheduler.now;
    await c.append(['b']);
    await c.scheduler.runUntilTrue(() => c.fetchesTo(LEADER, cutAt).length > 0, 20_000, 'a fetch to the leader');
    // The lost fetch waits out requestTimeout + maxWaitTimeInMs (2000 + 1000) before the leader is asked.
    expect(c.fetchesTo(LEADER, cutAt)[0].time - cutAt).toBeGreaterThanOrEqual(3000);
    // The leader cannot know the link is cut: it names broker 2 again, as Kafka's would.
    c.net.heal();
    await c.scheduler.runUntilTrue(() => received.length === 2, 20_000, 'a record after healing');
    expect(values(received)).toEqual(['a', 'b']);
    await c.scheduler.await(consumer.disconnect());
  });

  it('asks the leader again once metadataMaxAge has passed since it named the replica', async () => {
    const c = new RackCluster();
    await c.append(['a']);
    const { consumer, received } = await c.consume({ rackId: 'rack-b', metadataMaxAge: 10_000 });
    await c.scheduler.runUntilTrue(() => received.length === 1, 10_000, 'a record');
    const namedAt = c.fetchesTo(LEADER)[0].time;
    await c.scheduler.runFor(25_000);
    const leaderFetches = c.fetchesTo(LEADER).map((f) => f.time - namedAt);
    // One fetch to the leader per 10 s lease (plus a long poll of up to 1 s on the replica).
    expect(leaderFetches).toHaveLength(3);
    expect(leaderFetches[1]).toBeGreaterThanOrEqual(10_000);
    expect(leaderFetches[1]).toBeLessThan(11_500);
    expect(leaderFetches[2] - leaderFetches[1]).toBeGreaterThanOrEqual(10_000);
    // In between, the replica: many long polls.
    expect(c.fetchesTo(2).length).toBeGreaterThan(15);
    await c.scheduler.await(consumer.disconnect());
  });
});
