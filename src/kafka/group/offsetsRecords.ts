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
