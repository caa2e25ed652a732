/**
 * `__consumer_offsets` records in Kafka's own binary schemas (OffsetCommitKey v1,
 * OffsetCommitValue v3), so the topic's bytes are what Kafka's tools expect.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface OffsetCommitKey { group: string; topic: string; partition: number }
export interface OffsetCommitValue { offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number }

class Writer {
  private readonly bytes: number[] = [];
  int16(v: number) { this.bytes.push((v >> 8) & 0xff, v & 0xff); return this; }
  int32(v: number) { this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); return this; }
  int64(v: number) { const b = BigInt.asUintN(64, BigInt(v)); for (let s = 56n; s >= 0n; s -= 8n) this.bytes.push(Number((b >> s) & 0xffn)); return this; }
  string(v: string) { const e = encoder.encode(v); this.int16(e.length); this.bytes.push(...e); return this; }
  done() { return Uint8Array.from(this.bytes); }
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) { this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
  int16() { const v = this.view.getInt16(this.at); this.at += 2; return v; }
  int32() { const v = this.view.getInt32(this.at); this.at += 4; return v; }
  int64() { const v = Number(this.view.getBigInt64(this.at)); this.at += 8; return v; }
  string() { const n = this.int16(); const s = decoder.decode(this.bytes.subarray(this.at, this.at + n)); this.at += n; return s; }
}

export const encodeOffsetCommitKey = (key: OffsetCommitKey): Uint8Array =>
  new Writer().int16(1).string(key.group).string(key.topic).int32(key.partition).done();

export const encodeOffsetCommitValue = (value: OffsetCommitValue): Uint8Array =>
  new Writer().int16(3).int64(value.offset).int32(value.leaderEpoch).string(value.metadata).int64(value.commitTimestamp).done();

/** Decodes an offset commit key; null for other record kinds (group metadata, key version 2). */
export function decodeOffsetCommitKey(bytes: Uint8Array): OffsetCommitKey | null {
  const reader = new Reader(bytes);
  const version = reader.int16();
  if (version !== 0 && version !== 1) return null;
  return { group: reader.string(), topic: reader.string(), partition: reader.int32() };
}

export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const reader = new Reader(bytes);
  const version = reader.int16();
  const offset = reader.int64();
  const leaderEpoch = version >= 3 ? reader.int32() : -1;
  const metadata = reader.string();
  const commitTimestamp = reader.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}
