import { describe, expect, it } from 'vitest';
import { BufferUnderflowError } from '../storage/varint';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumerProtocol';

const NULL16 = [0xff, 0xff];
const NULL32 = [0xff, 0xff, 0xff, 0xff];

describe('ConsumerProtocolSubscription', () => {
  it('encodes v3 byte for byte as Kafka\'s schema: version, topics, userData, ownedPartitions, generationId, rackId', () => {
    const bytes = encodeSubscription({
      topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 5, rackId: null,
    });
    expect([...bytes]).toEqual([
      0, 3, // version
      0, 0, 0, 1, 0, 1, 116, // topics ['t']
      ...NULL32, // userData null
      0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 1, 0, 0, 0, 1, // ownedPartitions [{t, [1]}]
      0, 0, 0, 5, // generationId
      ...NULL16, // rackId null
    ]);
  });

  it('round-trips every field, including UTF-8 names and non-null userData and rackId', () => {
    const s = {
      topics: ['orders', 'päyments'],
      userData: Uint8Array.from([1, 2, 3]),
      ownedPartitions: [{ topic: 'orders', partitions: [0, 2, 5] }, { topic: 'päyments', partitions: [] }],
      generationId: 42,
      rackId: 'rack-a',
    };
    expect(decodeSubscription(encodeSubscription(s))).toEqual(s);
    const empty = { topics: [], userData: new Uint8Array(0), ownedPartitions: [], generationId: -1, rackId: null };
    expect(decodeSubscription(encodeSubscription(empty))).toEqual(empty);
  });

  it('decodes v0 (what KafkaJS writes) with the later fields defaulted', () => {
    const v0 = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]);
    expect(decodeSubscription(v0)).toEqual({
      topics: ['t'], userData: new Uint8Array(0), ownedPartitions: [], generationId: -1, rackId: null,
    });
  });

  it('decodes v1 (owned partitions, no generation) and v2 (no rack)', () => {
    const v1 = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 1, 116, ...NULL32, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 1, 0, 0, 0, 3]);
    expect(decodeSubscription(v1)).toEqual({
      topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partitions: [3] }], generationId: -1, rackId: null,
    });
    const v2 = Uint8Array.from([0, 2, 0, 0, 0, 0, ...NULL32, 0, 0, 0, 0, 0, 0, 0, 9]);
    expect(decodeSubscription(v2)).toEqual({ topics: [], userData: null, ownedPartitions: [], generationId: 9, rackId: null });
  });

  it('rejects truncated bytes', () => {
    const bytes = encodeSubscription({ topics: ['t'], userData: null, ownedPartitions: [], generationId: 1, rackId: 'r' });
    expect(() => decodeSubscription(bytes.subarray(0, bytes.length - 1))).toThrow(BufferUnderflowError);
  });
});

describe('ConsumerProtocolAssignment', () => {
  it('encodes byte for byte: version, assignedPartitions, userData', () => {
    const bytes = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 2] }], userData: null });
    expect([...bytes]).toEqual([0, 3, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, ...NULL32]);
  });

  it('round-trips', () => {
    const a = {
      assignedPartitions: [{ topic: 'a', partitions: [1, 0] }, { topic: 'b', partitions: [7] }],
      userData: Uint8Array.from([9]),
    };
    expect(decodeAssignment(encodeAssignment(a))).toEqual(a);
  });

  it('decodes zero bytes as an empty assignment (a member the leader gave nothing)', () => {
    expect(decodeAssignment(new Uint8Array(0))).toEqual({ assignedPartitions: [], userData: null });
  });

  it('decodes v0 with empty userData (KafkaJS)', () => {
    const v0 = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect(decodeAssignment(v0)).toEqual({ assignedPartitions: [{ topic: 't', partitions: [4] }], userData: new Uint8Array(0) });
  });
});
