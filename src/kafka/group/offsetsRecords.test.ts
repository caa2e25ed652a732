import { describe, expect, it } from 'vitest';
import {
  decodeGroupMetadataKey, decodeGroupMetadataValue, decodeOffsetCommitKey, decodeOffsetCommitValue,
  encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
} from './offsetsRecords';

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

describe('group metadata records', () => {
  it('encodes GroupMetadataKey v2 and tells it from offset commit keys', () => {
    const key = encodeGroupMetadataKey('g');
    expect([...key]).toEqual([0, 2, 0, 1, 103]);
    expect(decodeGroupMetadataKey(key)).toBe('g');
    expect(decodeGroupMetadataKey(encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 0 }))).toBeNull();
  });
  it('round-trips GroupMetadataValue v3 with members, null protocol and leader', () => {
    const value = {
      protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'a-1', currentStateTimestamp: 1_700_000_000_000,
      members: [{ memberId: 'a-1', groupInstanceId: null, clientId: 'a', clientHost: '/client-1', rebalanceTimeout: 60000, sessionTimeout: 30000, subscription: Uint8Array.from([1, 2]), assignment: Uint8Array.from([3]) }],
    };
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(value))).toEqual(value);
    const empty = { ...value, generation: 5, protocol: null, leader: null, members: [] };
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(empty))).toEqual(empty);
  });
});
