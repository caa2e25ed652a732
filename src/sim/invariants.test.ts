import { describe, expect, it } from 'vitest';
import { encodeBatch } from '../kafka/storage/recordBatch';
import type { NodeEvent } from '../kafka/events';
import { MemoryLogStore } from './memoryStores';
import {
  OnlineInvariants, checkAcknowledgedRecords, checkConsumedRecords, checkNoDuplicates, checkPerKeyOrder, checkReplicasAgree, checkReplicatedLogs,
  readReplicaLog, type PartitionSnapshot, type ReplicaLog,
} from './invariants';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Stores batches of [key, value] records back to back from offset 0. */
async function storeLog(store: MemoryLogStore, batches: { epoch: number; records: [string, string][]; producerId?: number; baseSequence?: number }[]): Promise<void> {
  let offset = 0;
  for (const batch of batches) {
    const encoded = await encodeBatch({
      baseOffset: offset, partitionLeaderEpoch: batch.epoch, producerId: batch.producerId ?? 7, producerEpoch: 0, baseSequence: batch.baseSequence ?? offset,
      records: batch.records.map(([key, value]) => ({ key: bytes(key), value: bytes(value), timestamp: 1_700_000_000_000 })),
    });
    await store.append('t-0', [{ baseOffset: offset, segmentBase: 0, bytes: encoded }]);
    offset += batch.records.length;
  }
}

async function replica(broker: number, batches: Parameters<typeof storeLog>[1]): Promise<ReplicaLog> {
  const store = new MemoryLogStore();
  await storeLog(store, batches);
  return readReplicaLog(store, broker, 't', 0);
}

function snapshot(logs: ReplicaLog[], isr = logs.map((l) => l.broker), highWatermark: number | null = null): PartitionSnapshot {
  return {
    topic: 't', partition: 0, replicas: logs.map((l) => l.broker), isr, leader: isr[0], leaderEpoch: 3, highWatermark,
    logs: new Map(logs.map((l) => [l.broker, l])),
  };
}

const history: Parameters<typeof storeLog>[1] = [
  { epoch: 0, records: [['a', 'a-0'], ['b', 'b-0']] },
  { epoch: 1, records: [['a', 'a-1']] },
  { epoch: 1, records: [['b', 'b-1'], ['a', 'a-2']] },
];

describe('readReplicaLog', () => {
  it('decodes stored batches with their epochs, producer fields and records', async () => {
    const log = await replica(1, history);
    expect(log.logEndOffset).toBe(5);
    expect(log.batches.map((b) => [b.baseOffset, b.lastOffset, b.partitionLeaderEpoch])).toEqual([[0, 1, 0], [2, 2, 1], [3, 4, 1]]);
    expect(log.batches[2].records).toEqual([{ offset: 3, key: 'b', value: 'b-1' }, { offset: 4, key: 'a', value: 'a-2' }]);
    expect(log.batches[1].producerId).toBe(7);
    expect(log.problem).toBeUndefined();
  });

  it('reports a gap in the stored offsets', async () => {
    const store = new MemoryLogStore();
    await storeLog(store, history);
    store.partitions.get('t-0')!.splice(1, 1);
    const log = await readReplicaLog(store, 2, 't', 0);
    expect(log.problem).toMatch(/offset 3 does not follow the log end 2/);
    expect(checkReplicasAgree([snapshot([await replica(1, history), log], [1, 2], 5)])).toEqual([
      'replica 2 of t-0 has an unreadable log: stored batch at offset 3 does not follow the log end 2',
      'ISR replica 2 of t-0 ends at 2, below the high watermark 5 (leader 1)',
      expect.stringMatching(/diverge below the high watermark 5 at offset 2/),
    ]);
  });
});

describe('offline invariants', () => {
  it('hold on identical, complete replicas', async () => {
    const logs = [await replica(1, history), await replica(2, history), await replica(3, history)];
    const acked = [{ topic: 't', partition: 0, offset: 2, key: 'a', value: 'a-1' }, { topic: 't', partition: 0, offset: 4, key: 'a', value: 'a-2' }];
    const sent = new Map([['a', ['a-0', 'a-1', 'a-2']], ['b', ['b-0', 'b-1']]]);
    expect(checkReplicatedLogs([snapshot(logs, [1, 2, 3], 5)], acked, sent)).toEqual([]);
  });

  it('(a) names the lost acknowledged record, its offset and the replica missing it', async () => {
    const short = await replica(2, history.slice(0, 2));
    const logs = [await replica(1, history), short];
    const acked = [{ topic: 't', partition: 0, offset: 4, key: 'a', value: 'a-2' }];
    expect(checkAcknowledgedRecords([snapshot(logs)], acked)).toEqual([
      expect.stringMatching(/acknowledged record lost: t-0 offset 4 key=a value=a-2 is not on ISR replica 2 \(it holds nothing there, log end 3; ISR \[1,2\]/),
    ]);
    // A replica outside the ISR may lag: not a loss.
    expect(checkAcknowledgedRecords([snapshot(logs, [1])], acked)).toEqual([]);
    // A different record at the acknowledged offset (a divergent history) is a loss too.
    const other = await replica(3, [...history.slice(0, 2), { epoch: 2, records: [['b', 'b-9'], ['a', 'a-9']] }]);
    expect(checkAcknowledgedRecords([snapshot([logs[0], other])], acked)).toEqual([expect.stringMatching(/not on ISR replica 3 \(it holds key=a value=a-9 there/)]);
  });

  it('(f) finds a consumed record that a failover removed (it was read past the high watermark)', async () => {
    const survivor = await replica(2, [...history.slice(0, 2), { epoch: 2, records: [['b', 'b-7']] }]);
    const consumed = [{ topic: 't', partition: 0, offset: 2, key: 'a', value: 'a-1' }, { topic: 't', partition: 0, offset: 3, key: 'b', value: 'b-1' }];
    expect(checkConsumedRecords([snapshot([survivor])], consumed)).toEqual([
      'consumed record not committed: t-0 offset 3 key=b value=b-1 is not on ISR replica 2 (it holds key=b value=b-7 there, log end 4; ISR [2], leader 2 epoch 3)',
    ]);
  });

  it('(b) finds a value written twice, as a retried non-idempotent produce would', async () => {
    const log = await replica(1, [...history, { epoch: 1, records: [['a', 'a-2']] }]);
    expect(checkNoDuplicates([snapshot([log])])).toEqual(['duplicate record in t-0 on replica 1: value a-2 at offsets 4 and 5']);
  });

  it('(c) finds values of a key out of send order, and ignores unsent values', async () => {
    const log = await replica(1, [{ epoch: 0, records: [['a', 'a-1'], ['b', 'b-0'], ['a', 'a-0'], ['x', 'unsent']] }]);
    const sent = new Map([['a', ['a-0', 'a-1']], ['b', ['b-0']]]);
    expect(checkPerKeyOrder([snapshot([log])], sent)).toEqual([
      'per-key order broken for key a in t-0 on replica 1: a-0 (sent #0) at offset 2 follows a-1 (sent #1) at offset 0',
    ]);
    // A gap (a failed send not written) is not an order violation.
    expect(checkPerKeyOrder([snapshot([await replica(1, history)])], new Map([['a', ['a-0', 'lost', 'a-1', 'a-2']]]))).toEqual([]);
  });

  it('(d) finds replicas that diverge below the high watermark, not above it', async () => {
    const leader = await replica(1, history);
    const diverged = await replica(2, [history[0], { epoch: 2, records: [['a', 'a-1']] }, history[2]]);
    expect(checkReplicasAgree([snapshot([leader, diverged], [1, 2], 5)])).toEqual([
      expect.stringMatching(/replicas 1 and 2 of t-0 diverge below the high watermark 5 at offset 2: partitionLeaderEpoch differs/),
    ]);
    // Above the HW a follower may still hold an uncommitted tail.
    expect(checkReplicasAgree([snapshot([leader, diverged], [1, 2], 2)])).toEqual([]);
    const lagging = await replica(3, history.slice(0, 1));
    expect(checkReplicasAgree([snapshot([leader, lagging], [1, 3], 5)])).toEqual([
      'ISR replica 3 of t-0 ends at 2, below the high watermark 5 (leader 1)',
      expect.stringMatching(/replicas 1 and 3 of t-0 diverge below the high watermark 5 at offset 2: \[2..2\] epoch 1 .* vs no batch/),
    ]);
    // Without a reported HW, the smallest ISR log end stands in for it.
    expect(checkReplicasAgree([snapshot([leader, lagging], [1, 3])])).toEqual([]);
  });
});

describe('OnlineInvariants', () => {
  const offsets = (node: string, epoch: number, hw: number, leo: number, role: 'leader' | 'follower' = 'leader'): NodeEvent => ({
    type: 'partition-offsets', time: 0, node, topic: 't', partition: 0, logStartOffset: 0, logEndOffset: leo, highWatermark: hw, leaderEpoch: epoch, role,
  });
  const election = (leader: number, epoch: number): NodeEvent => ({
    type: 'leader-election', time: 0, node: 'controller-1000', topic: 't', partition: 0, previousLeader: -1, leader, leaderEpoch: epoch, isr: [leader], kind: 'clean', reason: 'test',
  });

  it('accepts a normal history', () => {
    const watcher = new OnlineInvariants();
    for (const event of [election(1, 0), offsets('broker-1', 0, 0, 2), offsets('broker-1', 0, 2, 2), offsets('broker-2', 0, 1, 2, 'follower'), election(2, 1), offsets('broker-2', 1, 1, 2)]) watcher.observe(event);
    watcher.consumed('t', 0, 1);
    expect(watcher.violations).toEqual([]);
    expect(watcher.leaderHighWatermark('t', 0, 2, 1)).toBe(1);
    expect(watcher.leaderHighWatermark('t', 0, 1, 1)).toBeNull();
    expect(watcher.replicaOffsets('t', 0, 1)).toMatchObject({ role: 'leader', highWatermark: 2 });
  });

  it('(e) finds two leaders in one epoch, from elections or from brokers', () => {
    const watcher = new OnlineInvariants();
    watcher.observe(election(1, 4));
    watcher.observe(offsets('broker-3', 4, 0, 0));
    watcher.observe(offsets('broker-2', 5, 0, 0));
    watcher.observe(election(1, 5));
    expect(watcher.violations).toEqual([
      'two leaders for t-0 in leader epoch 4: broker 1 per controller-1000 (clean election) and broker 3 per broker-3 (partition-offsets)',
      'two leaders for t-0 in leader epoch 5: broker 2 per broker-2 (partition-offsets) and broker 1 per controller-1000 (clean election)',
    ]);
  });

  it('(f) finds a high watermark going back in an epoch, past the log end, and a read past it', () => {
    const watcher = new OnlineInvariants();
    watcher.observe(offsets('broker-1', 2, 5, 6));
    watcher.observe(offsets('broker-1', 2, 4, 6));
    watcher.observe(offsets('broker-1', 2, 7, 6));
    // A new epoch may start lower (a new leader learns the HW from its followers).
    watcher.observe(offsets('broker-2', 3, 3, 6));
    watcher.consumed('t', 0, 6);
    watcher.consumed('t', 0, 7, 'client-4');
    expect(watcher.violations).toEqual([
      'high watermark of t-0 went back from 5 to 4 in leader epoch 2 on broker-1',
      'high watermark 7 of t-0 is past the log end 6 on leader broker-1 (epoch 2)',
      'client-4 read t-0 offset 7, at or past the high watermark 7 (the highest any leader reported)',
    ]);
  });
});
