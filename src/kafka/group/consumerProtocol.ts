/**
 * The consumer protocol's metadata, in Kafka's own binary schemas (ConsumerProtocolSubscription
 * and ConsumerProtocolAssignment, non-flexible): the opaque bytes consumers send in JoinGroup and
 * the leader sends back in SyncGroup. The coordinator never needs to read them, but the UI and
 * the members do, and Kafka's tools could decode them as written.
 */
import type { TopicPartitions } from '../events';
import { ByteReader, ByteWriter } from '../storage/varint';

/** The version we write: v3 carries ownedPartitions (v1), generationId (v2) and rackId (v3). */
export const CONSUMER_PROTOCOL_VERSION = 3;

export interface ConsumerProtocolSubscription {
  topics: string[];
  userData: Uint8Array | null;
  ownedPartitions: TopicPartitions[];
  generationId: number;
  rackId: string | null;
}

export interface ConsumerProtocolAssignment {
  assignedPartitions: TopicPartitions[];
  userData: Uint8Array | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** STRING / NULLABLE_STRING: an int16 length (-1 for null), then UTF-8. */
const writeString = (writer: ByteWriter, value: string | null): void => {
  if (value === null) {
    writer.writeInt16(-1);
    return;
  }
  const bytes = encoder.encode(value);
  writer.writeInt16(bytes.length).writeBytes(bytes);
};
const readString = (reader: ByteReader): string | null => {
  const length = reader.readInt16();
  return length < 0 ? null : decoder.decode(reader.readBytesView(length));
};
const readNonNullString = (reader: ByteReader, field: string): string => {
  const value = readString(reader);
  if (value === null) throw new RangeError(`consumer protocol: null ${field}`);
  return value;
};

/** NULLABLE_BYTES: an int32 length (-1 for null), then the bytes. */
const writeBytes = (writer: ByteWriter, value: Uint8Array | null): void => {
  if (value === null) writer.writeInt32(-1);
  else writer.writeInt32(value.length).writeBytes(value);
};
const readBytes = (reader: ByteReader): Uint8Array | null => {
  const length = reader.readInt32();
  return length < 0 ? null : reader.readBytes(length);
};

/** [TopicPartition]: an int32 count, then {topic STRING, partitions [INT32]} each. */
export const writeTopicPartitions = (writer: ByteWriter, list: readonly TopicPartitions[]): void => {
  writer.writeInt32(list.length);
  for (const { topic, partitions } of list) {
    writeString(writer, topic);
    writer.writeInt32(partitions.length);
    for (const p of partitions) writer.writeInt32(p);
  }
};
export const readTopicPartitions = (reader: ByteReader): TopicPartitions[] => {
  const count = reader.readInt32();
  const out: TopicPartitions[] = [];
  for (let i = 0; i < count; i++) {
    const topic = readNonNullString(reader, 'topic');
    const n = reader.readInt32();
    const partitions: number[] = [];
    for (let j = 0; j < n; j++) partitions.push(reader.readInt32());
    out.push({ topic, partitions });
  }
  return out;
};

export function encodeSubscription(s: ConsumerProtocolSubscription): Uint8Array {
  const writer = new ByteWriter(64).writeInt16(CONSUMER_PROTOCOL_VERSION);
  writer.writeInt32(s.topics.length);
  for (const topic of s.topics) writeString(writer, topic);
  writeBytes(writer, s.userData);
  writeTopicPartitions(writer, s.ownedPartitions);
  writer.writeInt32(s.generationId);
  writeString(writer, s.rackId);
  return writer.finish();
}

/**
 * Reads any version: older ones (KafkaJS writes v0/v1) lack the later fields, which take
 * Kafka's defaults. A newer version is read as v3, as Java's ConsumerProtocol does: non-flexible
 * versions only ever append fields.
 */
export function decodeSubscription(bytes: Uint8Array): ConsumerProtocolSubscription {
  const reader = new ByteReader(bytes);
  const version = reader.readInt16();
  const topicCount = reader.readInt32();
  const topics: string[] = [];
  for (let i = 0; i < topicCount; i++) topics.push(readNonNullString(reader, 'topic'));
  const userData = readBytes(reader);
  const ownedPartitions = version >= 1 ? readTopicPartitions(reader) : [];
  const generationId = version >= 2 ? reader.readInt32() : -1;
  const rackId = version >= 3 ? readString(reader) : null;
  return { topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(a: ConsumerProtocolAssignment): Uint8Array {
  const writer = new ByteWriter(64).writeInt16(CONSUMER_PROTOCOL_VERSION);
  writeTopicPartitions(writer, a.assignedPartitions);
  writeBytes(writer, a.userData);
  return writer.finish();
}

/**
 * All versions share one layout. Zero bytes is an empty assignment: what SyncGroup hands a member
 * the leader assigned nothing (or before any assignment exists).
 */
export function decodeAssignment(bytes: Uint8Array): ConsumerProtocolAssignment {
  if (bytes.length === 0) return { assignedPartitions: [], userData: null };
  const reader = new ByteReader(bytes);
  reader.readInt16(); // version
  const assignedPartitions = readTopicPartitions(reader);
  const userData = readBytes(reader);
  return { assignedPartitions, userData };
}
