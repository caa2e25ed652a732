import { describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../sim/memoryStores';
import { encodeBatch, readBatchHeader, type BatchHeader } from './recordBatch';
import { ProducerStateManager, incrementSequence, lastSequenceOf } from './producerStateManager';
import { UnifiedLog } from './unifiedLog';

/** A real v2 batch of `count` records from producer `pid`, read back as the header a broker sees. */
async function batch(pid: number, epoch: number, baseSequence: number, count: number): Promise<BatchHeader> {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: new Uint8Array([i]), timestamp: 1000 }));
  return readBatchHeader(await encodeBatch({ producerId: pid, producerEpoch: epoch, baseSequence, records }));
}

/** Plays a leader: check, then append at the log end. Returns the offsets the producer is told. */
function leaderAppend(state: ProducerStateManager, logEnd: { next: number }, header: BatchHeader): { firstOffset: number; lastOffset: number; duplicate: boolean } {
  const check = state.checkAppend(header);
  if (check) return { ...check.duplicate, duplicate: true };
  const firstOffset = logEnd.next;
  const lastOffset = firstOffset + header.lastOffsetDelta;
  logEnd.next = lastOffset + 1;
  state.onAppended(header, firstOffset, lastOffset);
  return { firstOffset, lastOffset, duplicate: false };
}

describe('ProducerStateManager', () => {
  it('ignores batches without a producer id (a non-idempotent producer)', async () => {
    const state = new ProducerStateManager();
    const plain = readBatchHeader(await encodeBatch({ records: [{ key: null, value: null, timestamp: 1 }] }));
    expect(plain.producerId).toBe(-1);
    expect(state.checkAppend(plain)).toBeNull();
    state.onAppended(plain, 0, 0);
    expect(state.snapshot()).toEqual([]);
  });

  it('answers a retry of any of the last 5 batches with its original offsets, and not older ones', async () => {
    const state = new ProducerStateManager();
    const end = { next: 0 };
    const sent: BatchHeader[] = [];
    for (let i = 0; i < 7; i++) {
      const header = await batch(42, 0, i * 3, 3);
      sent.push(header);
      expect(leaderAppend(state, end, header)).toEqual({ firstOffset: i * 3, lastOffset: i * 3 + 2, duplicate: false });
    }
    // Batches 2..6 are retained; their retries are duplicates with the original offsets.
    for (let i = 2; i < 7; i++) expect(state.checkAppend(sent[i])).toEqual({ duplicate: { firstOffset: i * 3, lastOffset: i * 3 + 2 } });
    // Batch 1 fell out of the window: its retry is out of order, not silently written again.
    expect(() => state.checkAppend(sent[1])).toThrow(expect.objectContaining({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    // Same first sequence but a different last one is not the same batch.
    await expect(batch(42, 0, 18, 1).then((h) => state.checkAppend(h))).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(state.snapshot()).toEqual([{ producerId: 42, producerEpoch: 0, lastSequence: 20, lastOffset: 20 }]);
  });

  it('refuses a gap and a sequence from the past with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const state = new ProducerStateManager();
    const end = { next: 0 };
    leaderAppend(state, end, await batch(7, 0, 0, 5)); // sequences 0..4
    expect(() => state.checkAppend(readHeaderSync(7, 0, 6, 1))).toThrow(expect.objectContaining({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    expect(() => state.checkAppend(readHeaderSync(7, 0, 3, 1))).toThrow(expect.objectContaining({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    expect(state.checkAppend(await batch(7, 0, 5, 2))).toBeNull();
    // Nothing was recorded by the refused checks.
    expect(state.snapshot()[0].lastSequence).toBe(4);
  });

  it('fences an older epoch and requires a new epoch to start at sequence 0', async () => {
    const state = new ProducerStateManager();
    const end = { next: 0 };
    leaderAppend(state, end, await batch(9, 1, 0, 2));
    await expect(batch(9, 0, 2, 1).then((h) => state.checkAppend(h))).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    await expect(batch(9, 2, 5, 1).then((h) => state.checkAppend(h))).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    const bumped = await batch(9, 2, 0, 1);
    expect(leaderAppend(state, end, bumped)).toEqual({ firstOffset: 2, lastOffset: 2, duplicate: false });
    // The old epoch's batches are forgotten: a retry of one is now a zombie.
    await expect(batch(9, 1, 0, 2).then((h) => state.checkAppend(h))).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    expect(state.snapshot()).toEqual([{ producerId: 9, producerEpoch: 2, lastSequence: 0, lastOffset: 2 }]);
  });

  it('accepts any first sequence from a producer it has no state for, as Kafka since KIP-360', async () => {
    const state = new ProducerStateManager();
    expect(state.checkAppend(await batch(5, 0, 0, 1))).toBeNull();
    expect(state.checkAppend(await batch(6, 3, 17, 1))).toBeNull();
    await expect(encodeBatch({ producerId: 5, producerEpoch: 0, records: [] }).then((b) => state.checkAppend(readBatchHeader(b))))
      .rejects.toMatchObject({ type: 'INVALID_RECORD' });
  });

  it('checks the batches of one append against each other, and keeps producers apart', async () => {
    const state = new ProducerStateManager();
    const a0 = await batch(1, 0, 0, 2);
    const a1 = await batch(1, 0, 2, 2);
    const b0 = await batch(2, 0, 0, 1);
    expect(state.checkAppend([a0, b0, a1])).toBeNull();
    expect(() => state.checkAppend([a0, a0])).toThrow(expect.objectContaining({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    state.onAppended(a0, 0, 1);
    state.onAppended(b0, 2, 2);
    state.onAppended(a1, 3, 4);
    expect(state.snapshot()).toEqual([
      { producerId: 1, producerEpoch: 0, lastSequence: 3, lastOffset: 4 },
      { producerId: 2, producerEpoch: 0, lastSequence: 0, lastOffset: 2 },
    ]);
  });

  it('wraps sequences from 2147483647 to 0', async () => {
    expect(incrementSequence(2147483647, 1)).toBe(0);
    expect(incrementSequence(2147483646, 3)).toBe(1);
    const state = new ProducerStateManager();
    const end = { next: 0 };
    const last = await batch(3, 0, 2147483645, 3); // 2147483645..2147483647
    expect(lastSequenceOf(last)).toBe(2147483647);
    leaderAppend(state, end, last);
    const wrapped = await batch(3, 0, 0, 2);
    expect(leaderAppend(state, end, wrapped)).toEqual({ firstOffset: 3, lastOffset: 4, duplicate: false });
    const across = await batch(3, 0, 2, 3);
    expect(lastSequenceOf(await batch(3, 0, 2147483647, 2))).toBe(0);
    leaderAppend(state, end, across);
    expect(state.checkAppend(wrapped)).toEqual({ duplicate: { firstOffset: 3, lastOffset: 4 } });
    await expect(batch(3, 0, 1, 1).then((h) => state.checkAppend(h))).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('is rebuilt from the log after a restart and after a truncation', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    const leader = new ProducerStateManager();
    const headers = [await batch(11, 0, 0, 2), await batch(11, 0, 2, 2), await batch(12, 0, 0, 1), await batch(11, 0, 4, 1)];
    for (const header of headers) {
      expect(leader.checkAppend(header)).toBeNull();
      const bytes = await encodeBatch({
        producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence,
        records: Array.from({ length: header.recordCount }, () => ({ key: null, value: null, timestamp: 1 })),
      });
      const info = await log.appendAsLeader(bytes, 0);
      leader.onAppended(header, info.firstOffset, info.lastOffset);
    }

    // A restart: the state comes back from the stored batches' headers alone.
    const { log: recovered } = await UnifiedLog.recover('t', 0, store);
    const restarted = new ProducerStateManager();
    restarted.rebuild(recovered.batchesFrom(0));
    expect(restarted.snapshot()).toEqual(leader.snapshot());
    expect(restarted.checkAppend(headers[1])).toEqual({ duplicate: { firstOffset: 2, lastOffset: 3 } });

    // A truncation below producer 11's last batch: the batch is gone, so its retry must be written again.
    await recovered.truncateTo(5);
    restarted.rebuild(recovered.batchesFrom(0));
    expect(restarted.snapshot()).toEqual([
      { producerId: 11, producerEpoch: 0, lastSequence: 3, lastOffset: 3 },
      { producerId: 12, producerEpoch: 0, lastSequence: 0, lastOffset: 4 },
    ]);
    expect(restarted.checkAppend(headers[3])).toBeNull();
  });
});

/** A header built by hand (no records needed) for the synchronous throw checks. */
function readHeaderSync(pid: number, epoch: number, baseSequence: number, count: number) {
  return { producerId: pid, producerEpoch: epoch, baseSequence, lastOffsetDelta: count - 1, isControl: false };
}
