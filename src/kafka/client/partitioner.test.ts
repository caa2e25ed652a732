import { describe, expect, it } from 'vitest';
import { createDefaultPartitioner, murmur2, partitionForKey, toPositive, type PartitionMetadata } from './partitioner';

const utf8 = (s: string) => new TextEncoder().encode(s);

// Kafka's UtilsTest.testMurmur2 vectors (also what KafkaJS's Java-compatible partitioner produces),
// plus the empty input.
const VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['', 275646681],
];

const meta = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 100 + partitionId }));

describe('murmur2', () => {
  it.each(VECTORS)('murmur2(%j) = %d', (s, expected) => {
    expect(murmur2(utf8(s))).toBe(expected);
  });

  // Not in Kafka's test: computed with an independent (Python) port of Utils.murmur2, to cover the
  // length % 4 == 1 tail and bytes >= 0x80, which the vectors above leave out.
  it('matches an independent port on the remaining tail length and high bytes', () => {
    expect(murmur2(utf8('a'))).toBe(-1563381124);
    expect(murmur2(utf8('hello'))).toBe(2132663229);
    expect(murmur2(new Uint8Array([0xff, 0x80, 0xfe, 0x81, 0x7f]))).toBe(609380076);
    expect([...VECTORS.map(([s]) => s), 'a'].map((s) => s.length % 4)).toEqual(expect.arrayContaining([0, 1, 2, 3]));
  });

  it('returns signed 32-bit integers and treats bytes as unsigned', () => {
    const high = new Uint8Array([0xff, 0x80, 0xfe, 0x81, 0x7f]);
    const v = murmur2(high);
    expect(Number.isInteger(v)).toBe(true);
    expect(v).toBe(v | 0);
    expect(murmur2(new Uint8Array([0x80]))).not.toBe(murmur2(new Uint8Array([0x00])));
  });
});

describe('toPositive', () => {
  it('masks the sign bit like Java', () => {
    expect(toPositive(-973932308)).toBe(1173551340);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(479470107)).toBe(479470107);
  });
});

describe('partitionForKey', () => {
  it('is toPositive(murmur2) mod the partition count', () => {
    // toPositive(-973932308) = 1173551340; 1173551340 % 3 = 0, % 6 = 0.
    expect(partitionForKey(utf8('21'), 3)).toBe(0);
    expect(partitionForKey(utf8('21'), 6)).toBe(0);
    // toPositive(-1486304829) = 661178819; % 3 = 2, % 6 = 5.
    expect(partitionForKey(utf8('a-little-bit-longer-string'), 3)).toBe(2);
    expect(partitionForKey(utf8('a-little-bit-longer-string'), 6)).toBe(5);
    // 479470107 % 3 = 0, % 6 = 3.
    expect(partitionForKey(utf8('abc'), 3)).toBe(0);
    expect(partitionForKey(utf8('abc'), 6)).toBe(3);
    // toPositive(-58897971) = 2088585677; % 3 = 2, % 6 = 5.
    expect(partitionForKey(utf8('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), 6)).toBe(5);
    // 275646681 % 6 = 3.
    expect(partitionForKey(new Uint8Array(0), 6)).toBe(3);
    for (const [s, h] of VECTORS) for (const n of [1, 3, 6, 7]) expect(partitionForKey(utf8(s), n)).toBe(toPositive(h) % n);
  });

  it('encodes string keys as UTF-8', () => {
    expect(partitionForKey('ünïcode ✓', 6)).toBe(partitionForKey(utf8('ünïcode ✓'), 6));
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionForKey(utf8('a'), 0)).toThrow(RangeError);
  });
});

describe('createDefaultPartitioner', () => {
  const topic = 't';

  it('lets an explicit partition win', () => {
    const p = createDefaultPartitioner();
    expect(p({ topic, partitionMetadata: meta(6), message: { key: 'abc', partition: 4 } })).toBe(4);
    expect(p({ topic, partitionMetadata: meta(6), message: { key: null, partition: 0 } })).toBe(0);
  });

  it('hashes keys, strings and bytes alike', () => {
    const p = createDefaultPartitioner();
    expect(p({ topic, partitionMetadata: meta(6), message: { key: 'abc' } })).toBe(3);
    expect(p({ topic, partitionMetadata: meta(6), message: { key: utf8('abc') } })).toBe(3);
    expect(p({ topic, partitionMetadata: meta(3), message: { key: 'a-little-bit-longer-string', partition: null } })).toBe(2);
    // Keyed messages go by hash even to a leaderless partition, as in Kafka.
    expect(p({ topic, partitionMetadata: meta(6, [3]), message: { key: 'abc' } })).toBe(3);
  });

  it('round-robins null keys over partitions with a leader', () => {
    const p = createDefaultPartitioner();
    const picks = Array.from({ length: 8 }, () => p({ topic, partitionMetadata: meta(4, [1]), message: { key: null } }));
    expect(picks).toEqual([0, 2, 3, 0, 2, 3, 0, 2]);
  });

  it('round-robins over all partitions when none has a leader', () => {
    const p = createDefaultPartitioner();
    const picks = Array.from({ length: 5 }, () => p({ topic, partitionMetadata: meta(3, [0, 1, 2]), message: {} }));
    expect(picks).toEqual([0, 1, 2, 0, 1]);
  });

  it('starts from the given counter and survives counter overflow', () => {
    const p = createDefaultPartitioner(5);
    expect(p({ topic, partitionMetadata: meta(3), message: {} })).toBe(2);
    expect(p({ topic, partitionMetadata: meta(3), message: {} })).toBe(0);
    const q = createDefaultPartitioner(2147483647);
    expect(q({ topic, partitionMetadata: meta(3), message: {} })).toBe(2147483647 % 3);
    expect(q({ topic, partitionMetadata: meta(3), message: {} })).toBe(0); // toPositive(-2^31) = 0
  });

  it('returns partition ids, not indexes, for available partitions', () => {
    const p = createDefaultPartitioner();
    const partitionMetadata = [
      { partitionId: 7, leader: 1 },
      { partitionId: 9, leader: 2 },
    ];
    expect([0, 1, 2].map(() => p({ topic, partitionMetadata, message: {} }))).toEqual([7, 9, 7]);
  });

  it('refuses a topic without partitions', () => {
    expect(() => createDefaultPartitioner()({ topic, partitionMetadata: [], message: {} })).toThrow(RangeError);
  });
});
