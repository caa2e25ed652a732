import { describe, expect, it } from 'vitest';
import { COMPRESSION_TYPES, type CompressionType } from './compression';
import { crc32c } from './crc32c';
import {
  BATCH_HEADER_SIZE,
  CorruptRecordError,
  computeBatchCrc,
  decodeRecords,
  encodeBatch,
  readBatchHeader,
  scanBatches,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  verifyBatchCrc,
  type RecordInput,
} from './recordBatch';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const T0 = 1_700_000_000_000;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sampleRecords(n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 7 === 3 ? null : enc(`key-${i % 50}`),
    value: i % 11 === 5 ? null : enc(`{"n":${i},"text":"value ${'x'.repeat(i % 40)} ünïcødé ✓ 🚀"}`),
    headers: i % 3 === 0 ? [{ key: `h-${i}`, value: enc(String(i)) }, { key: 'null-header ✓', value: null }] : [],
    timestamp: T0 + i * 13 - (i % 5) * 100,
  }));
}

describe('golden bytes', () => {
  it('lays out a one-record batch exactly as DefaultRecordBatch does', async () => {
    const bytes = await encodeBatch({ records: [{ key: enc('k'), value: enc('v'), timestamp: T0 }] });
    // Record: length 8 (zig-zag 0x10) | attributes 0 | timestampDelta 0 | offsetDelta 0 |
    // keyLength 1 (0x02) 'k' | valueLength 1 (0x02) 'v' | headersCount 0.
    const record = [0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00];
    // T0 = 1700000000000 = 0x0000018BCFE56800.
    const ts = [0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00];
    const expected = Uint8Array.from([
      ...[0, 0, 0, 0, 0, 0, 0, 0], // 0 baseOffset 0
      ...[0x00, 0x00, 0x00, 0x3a], // 8 batchLength 58 = 70 - 12
      ...[0xff, 0xff, 0xff, 0xff], // 12 partitionLeaderEpoch -1
      0x02, // 16 magic 2
      ...[0xe9, 0x9b, 0x8d, 0xd8], // 17 crc (CRC-32C of bytes 21..70, computed independently)
      ...[0x00, 0x00], // 21 attributes: no compression, CreateTime
      ...[0x00, 0x00, 0x00, 0x00], // 23 lastOffsetDelta 0
      ...ts, // 27 baseTimestamp
      ...ts, // 35 maxTimestamp
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // 43 producerId -1
      ...[0xff, 0xff], // 51 producerEpoch -1
      ...[0xff, 0xff, 0xff, 0xff], // 53 baseSequence -1
      ...[0x00, 0x00, 0x00, 0x01], // 57 recordsCount 1
      ...record, // 61 records
    ]);
    expect(hex(bytes)).toBe(hex(expected));
    expect(bytes.length).toBe(70);
    expect(crc32c(expected, 21, 70)).toBe(0xe99b8dd8);

    const h = readBatchHeader(bytes);
    expect(h).toEqual({
      baseOffset: 0,
      batchLength: 58,
      sizeInBytes: 70,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: 0xe99b8dd8,
      attributes: 0,
      compression: 'none',
      timestampType: 'CreateTime',
      isTransactional: false,
      isControl: false,
      lastOffsetDelta: 0,
      lastOffset: 0,
      baseTimestamp: T0,
      maxTimestamp: T0,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 1,
    });
    expect(await decodeRecords(bytes)).toEqual([{ offset: 0, timestamp: T0, key: enc('k'), value: enc('v'), headers: [], sizeInBytes: 9 }]);
  });

  it('puts header fields at their documented offsets', async () => {
    const bytes = await encodeBatch({
      baseOffset: 0x0102030405,
      partitionLeaderEpoch: 7,
      compression: 'lz4',
      timestampType: 'LogAppendTime',
      producerId: 0x0a0b0c0d0e,
      producerEpoch: 0x1234,
      baseSequence: 0x55667788,
      isTransactional: true,
      records: sampleRecords(3),
    });
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(v.getBigInt64(0)).toBe(0x0102030405n);
    expect(v.getInt32(8)).toBe(bytes.length - 12);
    expect(v.getInt32(12)).toBe(7);
    expect(v.getInt8(16)).toBe(2);
    expect(v.getUint32(17)).toBe(crc32c(bytes, 21, bytes.length));
    expect(v.getInt16(21)).toBe(3 | 0x08 | 0x10); // lz4 | LogAppendTime | transactional
    expect(v.getInt32(23)).toBe(2);
    expect(v.getBigInt64(27)).toBe(BigInt(T0));
    expect(v.getBigInt64(35)).toBe(BigInt(Math.max(...sampleRecords(3).map((r) => r.timestamp))));
    expect(v.getBigInt64(43)).toBe(0x0a0b0c0d0en);
    expect(v.getInt16(51)).toBe(0x1234);
    expect(v.getInt32(53)).toBe(0x55667788);
    expect(v.getInt32(57)).toBe(3);
    expect(Array.from(bytes.subarray(61, 65))).toEqual([0x04, 0x22, 0x4d, 0x18]); // an LZ4 frame follows
    expect(BATCH_HEADER_SIZE).toBe(61);
  });
});

describe('round trip', () => {
  it.each(COMPRESSION_TYPES)('keeps keys, null keys/values, headers and unicode with %s', async (compression: CompressionType) => {
    const input = sampleRecords(25);
    const bytes = await encodeBatch({ baseOffset: 1000, compression, records: input });
    expect(verifyBatchCrc(bytes)).toBe(true);
    const h = readBatchHeader(bytes);
    expect(h.compression).toBe(compression);
    expect(h.recordCount).toBe(25);
    expect(h.lastOffset).toBe(1024);
    expect(h.baseTimestamp).toBe(input[0].timestamp);
    expect(h.maxTimestamp).toBe(Math.max(...input.map((r) => r.timestamp)));
    const out = await decodeRecords(bytes);
    expect(out.map((r) => r.offset)).toEqual(input.map((_, i) => 1000 + i));
    expect(out.map((r) => r.timestamp)).toEqual(input.map((r) => r.timestamp));
    expect(out.map((r) => dec(r.key))).toEqual(input.map((r) => dec(r.key)));
    expect(out.map((r) => dec(r.value))).toEqual(input.map((r) => dec(r.value)));
    expect(out.map((r) => r.headers.map((x) => [x.key, dec(x.value)]))).toEqual(
      input.map((r) => (r.headers ?? []).map((x) => [x.key, dec(x.value)])),
    );
    expect(out.some((r) => r.key === null)).toBe(true);
    expect(out.some((r) => r.value === null)).toBe(true);
  });

  it.each(COMPRESSION_TYPES)('handles 1000 records with %s', async (compression: CompressionType) => {
    const input = sampleRecords(1000);
    const bytes = await encodeBatch({ baseOffset: 5, compression, producerId: 42, producerEpoch: 1, baseSequence: 100, records: input });
    const out = await decodeRecords(bytes);
    expect(out.length).toBe(1000);
    expect(out[999].offset).toBe(1004);
    expect(dec(out[500].value)).toBe(dec(input[500].value));
    if (compression === 'none') {
      expect(out.reduce((n, r) => n + r.sizeInBytes, 0)).toBe(bytes.length - BATCH_HEADER_SIZE);
    } else {
      const plain = await encodeBatch({ records: input });
      expect(bytes.length).toBeLessThan(plain.length);
    }
  });

  it('handles empty keys and values, big values and negative timestamp deltas', async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const input: RecordInput[] = [
      { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: T0 },
      { key: null, value: big, timestamp: T0 - 5000 },
      { key: enc('z'), value: null, headers: [{ key: '', value: new Uint8Array(0) }], timestamp: 0 },
    ];
    for (const compression of COMPRESSION_TYPES) {
      const out = await decodeRecords(await encodeBatch({ compression, records: input }));
      expect(out[0].key).toEqual(new Uint8Array(0));
      expect(out[0].value).toEqual(new Uint8Array(0));
      expect(Buffer.from(out[1].value!).equals(Buffer.from(big))).toBe(true);
      expect(out.map((r) => r.timestamp)).toEqual([T0, T0 - 5000, 0]);
      expect(out[2].headers).toEqual([{ key: '', value: new Uint8Array(0) }]);
    }
  });

  it('encodes an empty batch', async () => {
    const bytes = await encodeBatch({ baseOffset: 9, records: [] });
    expect(bytes.length).toBe(BATCH_HEADER_SIZE);
    const h = readBatchHeader(bytes);
    expect([h.recordCount, h.lastOffset, h.baseTimestamp, h.maxTimestamp]).toEqual([0, 9, -1, -1]);
    expect(await decodeRecords(bytes)).toEqual([]);
    expect(verifyBatchCrc(bytes)).toBe(true);
  });

  it('marks control batches and LogAppendTime', async () => {
    const control = await encodeBatch({
      isControl: true,
      isTransactional: true,
      producerId: 7,
      records: [{ key: new Uint8Array([0, 0, 0, 1]), value: new Uint8Array([0, 0, 0, 0, 0, 0]), timestamp: T0 }],
    });
    const h = readBatchHeader(control);
    expect([h.isControl, h.isTransactional, h.attributes]).toEqual([true, true, 0x30]);

    const logAppend = await encodeBatch({ timestampType: 'LogAppendTime', records: sampleRecords(3) });
    expect(readBatchHeader(logAppend).timestampType).toBe('LogAppendTime');
    // A LogAppendTime batch reads every record at maxTimestamp, as Kafka does.
    const max = readBatchHeader(logAppend).maxTimestamp;
    expect((await decodeRecords(logAppend)).map((r) => r.timestamp)).toEqual([max, max, max]);
  });

  it('stamps LogAppendTime in place and keeps the CRC valid', async () => {
    const bytes = await encodeBatch({ records: sampleRecords(4) });
    setLogAppendTime(bytes, T0 + 99_999);
    expect(verifyBatchCrc(bytes)).toBe(true);
    const h = readBatchHeader(bytes);
    expect([h.timestampType, h.maxTimestamp]).toEqual(['LogAppendTime', T0 + 99_999]);
    expect((await decodeRecords(bytes)).every((r) => r.timestamp === T0 + 99_999)).toBe(true);
  });

  it('decodes a batch in the middle of a larger buffer', async () => {
    const a = await encodeBatch({ baseOffset: 0, records: sampleRecords(2) });
    const b = await encodeBatch({ baseOffset: 2, compression: 'gzip', records: sampleRecords(3) });
    const buf = concat(a, b);
    expect(verifyBatchCrc(buf, a.length)).toBe(true);
    expect((await decodeRecords(buf, a.length)).map((r) => r.offset)).toEqual([2, 3, 4]);
  });

  it('rejects values outside the wire types', async () => {
    await expect(encodeBatch({ producerEpoch: 40_000, records: [] })).rejects.toThrow(RangeError);
    await expect(encodeBatch({ baseOffset: 1.5, records: [] })).rejects.toThrow(RangeError);
  });
});

describe('CRC', () => {
  it('covers exactly attributes to the end', async () => {
    const bytes = await encodeBatch({ compression: 'snappy', records: sampleRecords(10) });
    const h = readBatchHeader(bytes);
    expect(h.crc).toBe(crc32c(bytes, 21, bytes.length));
    expect(computeBatchCrc(bytes)).toBe(h.crc);
    expect(h.crc).not.toBe(crc32c(bytes, 17, bytes.length));
  });

  it('stays valid when baseOffset and partitionLeaderEpoch are stamped', async () => {
    const bytes = await encodeBatch({ records: sampleRecords(5) });
    const crc = readBatchHeader(bytes).crc;
    setBaseOffset(bytes, 123_456_789_012);
    setPartitionLeaderEpoch(bytes, 42);
    const h = readBatchHeader(bytes);
    expect([h.baseOffset, h.lastOffset, h.partitionLeaderEpoch, h.crc]).toEqual([123_456_789_012, 123_456_789_016, 42, crc]);
    expect(verifyBatchCrc(bytes)).toBe(true);
    expect((await decodeRecords(bytes))[4].offset).toBe(123_456_789_016);
  });

  it('stamps a batch inside a larger buffer at its position only', async () => {
    const a = await encodeBatch({ records: sampleRecords(1) });
    const b = await encodeBatch({ records: sampleRecords(1) });
    const buf = concat(a, b);
    setBaseOffset(buf, 77, a.length);
    setPartitionLeaderEpoch(buf, 3, a.length);
    expect(readBatchHeader(buf, 0).baseOffset).toBe(0);
    expect(readBatchHeader(buf, a.length).baseOffset).toBe(77);
    expect(readBatchHeader(buf, a.length).partitionLeaderEpoch).toBe(3);
    expect(verifyBatchCrc(buf, a.length)).toBe(true);
  });

  it('fails when any byte in the CRC-covered range (or the CRC itself) flips', async () => {
    const bytes = await encodeBatch({ compression: 'none', records: sampleRecords(3) });
    for (let i = 17; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i] ^= 0x01;
      // Flipping the low bit of batchLength-covered bytes must always be caught.
      expect(verifyBatchCrc(copy), `byte ${i}`).toBe(false);
    }
    for (let i = 0; i < 17; i++) {
      if (i >= 8 && i < 12) continue; // batchLength: changes the batch extent, not its checksum
      if (i === 16) continue; // magic is outside the CRC too (checked separately)
      const copy = bytes.slice();
      copy[i] ^= 0xff;
      expect(verifyBatchCrc(copy), `byte ${i}`).toBe(true);
    }
  });

  it('is false for a truncated batch rather than throwing', async () => {
    const bytes = await encodeBatch({ records: sampleRecords(3) });
    expect(verifyBatchCrc(bytes.subarray(0, bytes.length - 1))).toBe(false);
    expect(verifyBatchCrc(bytes.subarray(0, 30))).toBe(false);
    expect(verifyBatchCrc(bytes, 5)).toBe(false);
  });
});

describe('readBatchHeader / decodeRecords errors', () => {
  it('throws CorruptRecordError on a short buffer or a wrong magic', async () => {
    const bytes = await encodeBatch({ records: sampleRecords(1) });
    expect(() => readBatchHeader(bytes.subarray(0, 60))).toThrow(CorruptRecordError);
    const v1 = bytes.slice();
    v1[16] = 1;
    expect(() => readBatchHeader(v1)).toThrow(/magic/);
    const err = (() => {
      try {
        readBatchHeader(v1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CorruptRecordError);
    expect(err).toBeInstanceOf(Error);
    expect((err as CorruptRecordError).type).toBe('CORRUPT_MESSAGE');
  });

  it('throws CorruptRecordError on undecodable records', async () => {
    const bytes = await encodeBatch({ records: sampleRecords(2) });
    await expect(decodeRecords(bytes.subarray(0, bytes.length - 1))).rejects.toThrow(CorruptRecordError);
    const wrongCount = bytes.slice();
    new DataView(wrongCount.buffer).setInt32(57, 3);
    await expect(decodeRecords(wrongCount)).rejects.toThrow(CorruptRecordError);
    const fewer = bytes.slice();
    new DataView(fewer.buffer).setInt32(57, 1);
    await expect(decodeRecords(fewer)).rejects.toThrow(/left after/);
    const badCompression = await encodeBatch({ compression: 'gzip', records: sampleRecords(2) });
    badCompression[badCompression.length - 6] ^= 0xff; // inside the gzip trailer's CRC-32
    await expect(decodeRecords(badCompression)).rejects.toThrow(CorruptRecordError);
    const badCode = bytes.slice();
    badCode[22] = 0x06;
    expect(() => readBatchHeader(badCode)).toThrow(CorruptRecordError);
  });
});

describe('scanBatches', () => {
  async function threeBatches() {
    const a = await encodeBatch({ baseOffset: 0, records: sampleRecords(3) });
    const b = await encodeBatch({ baseOffset: 3, compression: 'zstd', records: sampleRecords(4) });
    const c = await encodeBatch({ baseOffset: 7, compression: 'gzip', records: sampleRecords(2) });
    return { a, b, c, all: concat(a, b, c) };
  }

  it('walks a clean log to its end', async () => {
    const { a, b, all } = await threeBatches();
    const scan = scanBatches(all);
    expect(scan.error).toBeUndefined();
    expect(scan.validBytes).toBe(all.length);
    expect(scan.batches.map((x) => x.at)).toEqual([0, a.length, a.length + b.length]);
    expect(scan.batches.map((x) => [x.header.baseOffset, x.header.lastOffset])).toEqual([
      [0, 2],
      [3, 6],
      [7, 8],
    ]);
  });

  it('is empty and clean for no bytes', () => {
    expect(scanBatches(new Uint8Array(0))).toEqual({ batches: [], validBytes: 0 });
  });

  it('stops at a truncated tail, whatever the cut', async () => {
    const { a, b, all } = await threeBatches();
    const tailStart = a.length + b.length;
    for (const cut of [1, 5, 11, 12, 16, 17, 40, 61, all.length - tailStart - 1]) {
      const scan = scanBatches(all.subarray(0, tailStart + cut));
      expect(scan.validBytes, `cut ${cut}`).toBe(tailStart);
      expect(scan.batches.length).toBe(2);
      expect(scan.error).toMatch(/partial/);
    }
  });

  it('stops at a corrupted middle batch', async () => {
    const { a, all } = await threeBatches();
    const bad = all.slice();
    bad[a.length + 70] ^= 0x10;
    const scan = scanBatches(bad);
    expect(scan.validBytes).toBe(a.length);
    expect(scan.batches.length).toBe(1);
    expect(scan.error).toMatch(/CRC/);
  });

  it('stops at a bad magic and at a nonsense length', async () => {
    const { a, all } = await threeBatches();
    const badMagic = all.slice();
    badMagic[a.length + 16] = 1;
    expect(scanBatches(badMagic)).toMatchObject({ validBytes: a.length, error: expect.stringMatching(/magic/) });
    const badLength = all.slice();
    new DataView(badLength.buffer).setInt32(a.length + 8, 10);
    expect(scanBatches(badLength)).toMatchObject({ validBytes: a.length, error: expect.stringMatching(/length/) });
  });

  it('stops at a zero-filled tail (a preallocated or torn write)', async () => {
    const { all } = await threeBatches();
    const scan = scanBatches(concat(all, new Uint8Array(100)));
    expect(scan.validBytes).toBe(all.length);
    expect(scan.batches.length).toBe(3);
    expect(scan.error).toBeDefined();
  });
});
