import { describe, expect, it } from 'vitest';
import { decodeOffsetCommitKey, decodeOffsetCommitValue, encodeOffsetCommitKey, encodeOffsetCommitValue } from './offsetsRecords';

describe('__consumer_offsets record schemas', () => {
  it('encodes OffsetCommitKey v1 as Kafka does: version, group, topic, partition', () => {
    const bytes = encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 2 });
    expect([...bytes]).toEqual([0, 1, 0, 1, 103, 0, 1, 116, 0, 0, 0, 2]);
    expect(decodeOffsetCommitKey(bytes)).toEqual({ group: 'g', topic: 't', partition: 2 });
  });
  it('round-trips OffsetCommitValue v3', () => {
    const value = { offset: 2 ** 40 + 5, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1_700_000_000_123 };
    const bytes = encodeOffsetCommitValue(value);
    expect(bytes.length).toBe(2 + 8 + 4 + 3 + 8);
    expect(decodeOffsetCommitValue(bytes)).toEqual(value);
  });
  it('ignores group metadata keys (version 2)', () => {
    expect(decodeOffsetCommitKey(Uint8Array.from([0, 2, 0, 1, 103]))).toBeNull();
  });
});
