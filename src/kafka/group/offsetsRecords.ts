/**
 * `__consumer_offsets` records in Kafka's own binary schemas (OffsetCommitKey v1,
 * OffsetCommitValue v3), so the topic's bytes are what Kafka's tools expect.
 */
import { ByteReader, ByteWriter } from '../storage/varint';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Kafka's STRING: an int16 length, then UTF-8. */
const writeString = (writer: ByteWriter, value: string): ByteWriter => {
  const bytes = encoder.encode(value);
  return writer.writeInt16(bytes.length).writeBytes(bytes);
};
const readString = (reader: ByteReader): string => decoder.decode(reader.readBytesView(reader.readInt16()));

export interface OffsetCommitKey { group: string; topic: string; partition: number }
export interface OffsetCommitValue { offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number }

export function encodeOffsetCommitKey(key: OffsetCommitKey): Uint8Array {
  const writer = new ByteWriter(64).writeInt16(1);
  writeString(writeString(writer, key.group), key.topic);
  return writer.writeInt32(key.partition).finish();
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Uint8Array {
  const writer = new ByteWriter(64).writeInt16(3).writeInt64(value.offset).writeInt32(value.leaderEpoch);
  return writeString(writer, value.metadata).writeInt64(value.commitTimestamp).finish();
}

/** Decodes an offset commit key; null for other record kinds (group metadata, key version 2). */
export function decodeOffsetCommitKey(bytes: Uint8Array): OffsetCommitKey | null {
  const reader = new ByteReader(bytes);
  const version = reader.readInt16();
  if (version !== 0 && version !== 1) return null;
  return { group: readString(reader), topic: readString(reader), partition: reader.readInt32() };
}

export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const reader = new ByteReader(bytes);
  const version = reader.readInt16();
  const offset = reader.readInt64();
  const leaderEpoch = version >= 3 ? reader.readInt32() : -1;
  const metadata = readString(reader);
  const commitTimestamp = reader.readInt64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

/** Kafka's NULLABLE_STRING: length -1 for null. */
const writeNullableString = (writer: ByteWriter, value: string | null): ByteWriter =>
  (value === null ? writer.writeInt16(-1) : writeString(writer, value));
const readNullableString = (reader: ByteReader): string | null => {
  const length = reader.readInt16();
  return length < 0 ? null : decoder.decode(reader.readBytesView(length));
};
/** Kafka's BYTES: an int32 length, then the bytes. */
const writeBytes = (writer: ByteWriter, bytes: Uint8Array): ByteWriter => writer.writeInt32(bytes.length).writeBytes(bytes);
const readBytes = (reader: ByteReader): Uint8Array => reader.readBytes(Math.max(0, reader.readInt32()));

export interface GroupMetadataMember {
  memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
  rebalanceTimeout: number; sessionTimeout: number; subscription: Uint8Array; assignment: Uint8Array;
}
/** A group's membership after a rebalance (GroupMetadataValue v3); a null record value deletes the group. */
export interface GroupMetadataValue {
  protocolType: string; generation: number; protocol: string | null; leader: string | null;
  currentStateTimestamp: number; members: GroupMetadataMember[];
}

/** GroupMetadataKey v2: the group's id. */
export function encodeGroupMetadataKey(group: string): Uint8Array {
  return writeString(new ByteWriter(32).writeInt16(2), group).finish();
}

/** The group id of a GroupMetadataKey; null for other record kinds (offset commits). */
export function decodeGroupMetadataKey(bytes: Uint8Array): string | null {
  const reader = new ByteReader(bytes);
  return reader.readInt16() === 2 ? readString(reader) : null;
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Uint8Array {
  const writer = new ByteWriter(128).writeInt16(3);
  writeString(writer, value.protocolType).writeInt32(value.generation);
  writeNullableString(writer, value.protocol);
  writeNullableString(writer, value.leader).writeInt64(value.currentStateTimestamp);
  writer.writeInt32(value.members.length);
  for (const m of value.members) {
    writeString(writer, m.memberId);
    writeNullableString(writer, m.groupInstanceId);
    writeString(writeString(writer, m.clientId), m.clientHost);
    writer.writeInt32(m.rebalanceTimeout).writeInt32(m.sessionTimeout);
    writeBytes(writeBytes(writer, m.subscription), m.assignment);
  }
  return writer.finish();
}

export function decodeGroupMetadataValue(bytes: Uint8Array): GroupMetadataValue {
  const reader = new ByteReader(bytes);
  const version = reader.readInt16();
  const protocolType = readString(reader);
  const generation = reader.readInt32();
  const protocol = readNullableString(reader);
  const leader = readNullableString(reader);
  const currentStateTimestamp = version >= 2 ? reader.readInt64() : -1;
  const members: GroupMetadataMember[] = [];
  for (let n = reader.readInt32(); n > 0; n--) {
    const memberId = readString(reader);
    const groupInstanceId = version >= 3 ? readNullableString(reader) : null;
    const clientId = readString(reader);
    const clientHost = readString(reader);
    const rebalanceTimeout = version >= 1 ? reader.readInt32() : -1;
    const sessionTimeout = reader.readInt32();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription: readBytes(reader), assignment: readBytes(reader) });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
