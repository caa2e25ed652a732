import { describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../sim/memoryStores';
import { UnifiedLog } from './unifiedLog';
import { decodeRecords, encodeBatch, readBatchHeader, verifyBatchCrc } from './recordBatch';

const text = new TextEncoder();
const batchOf = (values: string[], timestamp = 1000) =>
  encodeBatch({ records: values.map((v) => ({ key: null, value: text.encode(v), timestamp })) });

describe('UnifiedLog', () => {
  it('assigns offsets from the log end and stamps the leader epoch without breaking the CRC', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    const first = await log.appendAsLeader(await batchOf(['a', 'b', 'c']), 4);
    const second = await log.appendAsLeader(await batchOf(['d']), 5);
    expect([first.firstOffset, first.lastOffset, second.firstOffset, second.lastOffset]).toEqual([0, 2, 3, 3]);
    expect(log.logEndOffset).toBe(4);
    const stored = await store.readPartition('t-0');
    expect(stored.map((b) => b.baseOffset)).toEqual([0, 3]);
    const header = readBatchHeader(stored[1].bytes);
    expect([header.baseOffset, header.partitionLeaderEpoch]).toEqual([3, 5]);
    expect(verifyBatchCrc(stored[1].bytes)).toBe(true);
  });

  it('reads whole batches from an offset and never past maxOffset', async () => {
    const log = UnifiedLog.empty('t', 0, new MemoryLogStore());
    for (let i = 0; i < 5; i++) await log.appendAsLeader(await batchOf([`v${i}a`, `v${i}b`]), 0);
    const { bytes, batches } = log.read(3, 6, 1 << 20);
    expect(batches).toBe(2); // offsets 2-3 and 4-5
    const offsets = (await decodeRecords(bytes, 0)).map((r) => r.offset);
    expect(offsets).toEqual([2, 3]);
    expect(log.read(10, 10, 100).batches).toBe(0);
    expect(() => log.read(11, 11, 100)).toThrow(expect.objectContaining({ type: 'OFFSET_OUT_OF_RANGE' }));
  });

  it('rejects a corrupt batch with CORRUPT_MESSAGE and stores nothing', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    await log.appendAsLeader(await batchOf(['ok']), 0);
    const bad = await batchOf(['tampered']);
    bad[bad.length - 1] ^= 0xff;
    await expect(log.appendAsLeader(bad, 0)).rejects.toMatchObject({ type: 'CORRUPT_MESSAGE' });
    expect(log.logEndOffset).toBe(1);
    expect((await store.readPartition('t-0')).length).toBe(1);
  });

  it('recovers every batch after a restart', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    for (let i = 0; i < 10; i++) await log.appendAsLeader(await batchOf([`r${i}`]), 1);
    const { log: recovered, result } = await UnifiedLog.recover('t', 0, store);
    expect(result).toMatchObject({ batches: 10 });
    expect(result.truncated).toBeUndefined();
    expect(recovered.logEndOffset).toBe(10);
    const values = (await decodeRecords(recovered.read(7, 10, 1 << 20).bytes)).map((r) => new TextDecoder().decode(r.value!));
    expect(values).toEqual(['r7']);
  });

  it('truncates at the first corrupt batch on recovery, keeping everything before it', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    for (let i = 0; i < 6; i++) await log.appendAsLeader(await batchOf([`r${i}`]), 1);
    const torn = store.partitions.get('t-0')![3].bytes;
    torn[torn.length - 2] ^= 0x01; // flip a bit inside batch 3's records
    const { log: recovered, result } = await UnifiedLog.recover('t', 0, store);
    expect(result.truncated).toMatchObject({ at: 3 });
    expect(result.truncated!.reason).toMatch(/CRC/);
    expect(recovered.logEndOffset).toBe(3);
    expect((await store.readPartition('t-0')).map((b) => b.baseOffset)).toEqual([0, 1, 2]);
    // The log is usable again: the next append continues at 3.
    expect((await recovered.appendAsLeader(await batchOf(['after']), 2)).firstOffset).toBe(3);
  });

  it('truncates a partial (torn) last batch on recovery', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(await batchOf([`r${i}`]), 1);
    const last = store.partitions.get('t-0')![2];
    last.bytes = last.bytes.slice(0, last.bytes.length - 5);
    const { log: recovered, result } = await UnifiedLog.recover('t', 0, store);
    expect(result.truncated?.reason).toMatch(/partial/);
    expect(recovered.logEndOffset).toBe(2);
  });

  it('rolls segments at segment.bytes and recovers the same segments', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store, { segmentBytes: 200 });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(await batchOf([`record-${i}-${'x'.repeat(40)}`]), 0);
    expect(log.segments.length).toBeGreaterThan(1);
    for (const segment of log.segments.slice(0, -1)) expect(segment.sizeInBytes).toBeLessThanOrEqual(200);
    const { log: recovered } = await UnifiedLog.recover('t', 0, store, { segmentBytes: 200 });
    expect(recovered.segments.map((s) => s.baseOffset)).toEqual(log.segments.map((s) => s.baseOffset));
  });

  it('rolls a segment by segment.ms: a batch that much newer than the segment\'s first one starts a new segment', async () => {
    const log = UnifiedLog.empty('t', 0, new MemoryLogStore(), { segmentMs: 1000 });
    await log.appendAsLeader(await batchOf(['a'], 10_000), 0);
    await log.appendAsLeader(await batchOf(['b'], 10_900), 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0]);
    await log.appendAsLeader(await batchOf(['c'], 11_001), 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
  });

  it('retention.bytes deletes the oldest closed segments while the rest still holds that much, below the high watermark only', async () => {
    const store = new MemoryLogStore();
    let config = { segmentBytes: 200, segmentMs: 1e12, retentionMs: -1, retentionBytes: 300, deleteRetention: true };
    const log = UnifiedLog.empty('t', 0, store, () => config);
    for (let i = 0; i < 8; i++) await log.appendAsLeader(await batchOf([`record-${i}-${'x'.repeat(40)}`]), 0);
    const bases = log.segments.map((s) => s.baseOffset);
    expect(bases.length).toBeGreaterThan(3);
    // Nothing is committed yet: nothing goes.
    expect(await log.deleteRetentionBreachedSegments(0, 0)).toBeNull();
    const result = await log.deleteRetentionBreachedSegments(0, log.logEndOffset);
    expect(result).toMatchObject({ from: 0, reasons: ['retention.bytes'] });
    expect(log.logStartOffset).toBe(result!.to);
    expect(log.segments[0].baseOffset).toBe(result!.to);
    // What is left holds at least retention.bytes, and one more segment would have taken it below.
    expect(log.sizeInBytes).toBeGreaterThanOrEqual(300);
    expect(log.sizeInBytes - log.segments[0].sizeInBytes).toBeLessThan(300);
    expect(() => log.read(0, log.logEndOffset, 1 << 20)).toThrow(expect.objectContaining({ type: 'OFFSET_OUT_OF_RANGE' }));
    // The store lost the same batches: a restart starts the log at the same offset.
    const { log: recovered } = await UnifiedLog.recover('t', 0, store);
    expect([recovered.logStartOffset, recovered.logEndOffset]).toEqual([log.logStartOffset, log.logEndOffset]);
    // cleanup.policy without delete: retention does nothing.
    config = { ...config, retentionBytes: 0, deleteRetention: false };
    expect(await log.deleteRetentionBreachedSegments(0, log.logEndOffset)).toBeNull();
  });

  it('retention.ms deletes closed segments whose newest record is older, and never the active segment', async () => {
    const log = UnifiedLog.empty('t', 0, new MemoryLogStore(), { segmentBytes: 150, retentionMs: 5000 });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(await batchOf([`record-${i}-${'x'.repeat(40)}`], 1000 * i), 0);
    const segments = log.segments.length;
    expect(segments).toBeGreaterThan(2);
    // At 5500 only segments whose newest record is before 500 are expired.
    const early = await log.deleteRetentionBreachedSegments(5500, log.logEndOffset);
    expect(early).toMatchObject({ from: 0, to: 1, segments: 1, reasons: ['retention.ms'] });
    // Much later every closed segment is expired; the active one stays, so the log end is kept.
    const late = await log.deleteRetentionBreachedSegments(1e9, log.logEndOffset);
    expect(late?.segments).toBe(segments - 2);
    expect(log.segments.length).toBe(1);
    expect(log.logEndOffset).toBe(6);
    expect(log.logStartOffset).toBe(log.segments[0].baseOffset);
  });

  it('an empty log starting inside a leader\'s batch takes that batch; truncation below the log start empties it; time lookups stay above the log start', async () => {
    const leader = UnifiedLog.empty('t', 0, new MemoryLogStore());
    await leader.appendAsLeader(await batchOf(['a', 'b', 'c', 'd'], 1000), 0);
    await leader.appendAsLeader(await batchOf(['e'], 2000), 0);
    await leader.deleteBefore(2);
    expect([leader.logStartOffset, leader.offsetForTimestamp(0)]).toEqual([2, 2]);
    const follower = UnifiedLog.empty('t', 0, new MemoryLogStore());
    await follower.truncateFullyAndStartAt(2);
    await follower.appendAsFollower(leader.read(2, leader.logEndOffset, 1 << 20).bytes, () => undefined);
    expect([follower.logStartOffset, follower.logEndOffset]).toEqual([2, 5]);
    // Not empty any more: a batch that does not continue the log is still refused.
    await expect(follower.appendAsFollower(leader.read(2, 4, 1 << 20).bytes.slice(), () => undefined)).resolves.toBeNull();
    await follower.truncateTo(1);
    expect([follower.logStartOffset, follower.logEndOffset, follower.sizeInBytes]).toEqual([1, 1, 0]);
  });

  it('empties the log and starts it at a later offset, and appends continue from there', async () => {
    const store = new MemoryLogStore();
    const log = UnifiedLog.empty('t', 0, store);
    await log.appendAsLeader(await batchOf(['a', 'b']), 0);
    await expect(log.truncateFullyAndStartAt(40, () => { throw new Error('stale'); })).rejects.toThrow('stale');
    expect(log.logEndOffset).toBe(2);
    await log.truncateFullyAndStartAt(40);
    expect([log.logStartOffset, log.logEndOffset, log.sizeInBytes]).toEqual([40, 40, 0]);
    expect((await log.appendAsLeader(await batchOf(['c']), 1)).firstOffset).toBe(40);
    const { log: recovered } = await UnifiedLog.recover('t', 0, store);
    expect([recovered.logStartOffset, recovered.logEndOffset]).toEqual([40, 41]);
  });

  it('appends a leader\'s batches as a follower with their offsets and epochs, and refuses a gap or a stale fetch', async () => {
    const leader = UnifiedLog.empty('t', 0, new MemoryLogStore());
    await leader.appendAsLeader(await batchOf(['a', 'b']), 3);
    await leader.appendAsLeader(await batchOf(['c']), 4);
    const follower = UnifiedLog.empty('t', 0, new MemoryLogStore());
    const all = leader.read(0, leader.logEndOffset, 1 << 20).bytes;
    const info = await follower.appendAsFollower(all, () => undefined);
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 2 });
    expect([...follower.batchesFrom(0)].map((b) => b.header.partitionLeaderEpoch)).toEqual([3, 4]);
    // The same bytes again are already there: nothing is appended twice.
    expect(await follower.appendAsFollower(all, () => undefined)).toBeNull();
    const gap = UnifiedLog.empty('t', 0, new MemoryLogStore());
    await expect(gap.appendAsFollower(leader.read(2, 3, 1 << 20).bytes, () => undefined)).rejects.toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    await expect(gap.appendAsFollower(all, () => { throw new Error('stale'); })).rejects.toThrow('stale');
    expect(gap.logEndOffset).toBe(0);
  });
});
