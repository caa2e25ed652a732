/**
 * Kafka's record batch format v2 (magic 2), byte for byte as org.apache.kafka.common.record
 * .DefaultRecordBatch / DefaultRecord lay it out. All fixed-width fields are big-endian.
 *
 *   offset  field
 *        0  baseOffset            int64
 *        8  batchLength           int32   bytes after this field (so a batch is 12 + batchLength)
 *       12  partitionLeaderEpoch  int32
 *       16  magic                 int8    = 2
 *       17  crc                   uint32  CRC-32C of bytes [21, end)
 *       21  attributes            int16   bits 0-2 compression, 3 timestampType (1 = LogAppendTime),
 *                                         4 isTransactional, 5 isControlBatch, 6 hasDeleteHorizonMs
 *       23  lastOffsetDelta       int32
 *       27  baseTimestamp         int64
 *       35  maxTimestamp          int64
 *       43  producerId            int64
 *       51  producerEpoch         int16
 *       53  baseSequence          int32
 *       57  recordsCount          int32
 *       61  records               (the whole section compressed when compression != none)
 *
 * A record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 * keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value | headersCount varint |
 * [headerKeyLength varint | headerKey utf8 | headerValueLength varint (-1 = null) | headerValue]*.
 *
 * baseOffset and partitionLeaderEpoch lie outside the CRC, so a broker can stamp them in place.
 * Offsets, timestamps and producer ids are JS numbers here (exact within ±2^53).
 */
import { KafkaProtocolError } from '../protocol/errors';
import { compress, compressionCode, compressionFromCode, decompress, type CompressionType } from './compression';
import { crc32c } from './crc32c';
import { ByteReader, ByteWriter, sizeOfVarint, sizeOfVarlong } from './varint';

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  timestamp: number;
}

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface BatchInput {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  records: RecordInput[];
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  /** 12 + batchLength: the whole batch. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  lastOffset: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  /** The record's encoded size, its length varint included. */
  sizeInBytes: number;
}

/** A malformed batch: too short, wrong magic, bad CRC, undecodable records. Kafka's CORRUPT_MESSAGE. */
export class CorruptRecordError extends KafkaProtocolError {
  constructor(message: string) {
    super('CORRUPT_MESSAGE', message);
    this.name = 'CorruptRecordError';
  }
}

// Field positions inside a batch.
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the part of a batch not counted in batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
export const DELETE_HORIZON_MASK = 0x40;

/** RecordBatch.NO_TIMESTAMP */
export const NO_TIMESTAMP = -1;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkInt(name: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} out of range: ${n}`);
}

const INT16 = [-0x8000, 0x7fff] as const;
const INT32 = [-0x80000000, 0x7fffffff] as const;
const SAFE = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

// ---------------------------------------------------------------------------------------------
// Encoding

interface EncodedHeader {
  key: Uint8Array;
  value: Uint8Array | null;
}

function encodeRecord(w: ByteWriter, record: RecordInput, offsetDelta: number, baseTimestamp: number): void {
  checkInt('timestamp', record.timestamp, ...SAFE);
  const timestampDelta = record.timestamp - baseTimestamp;
  const headers: EncodedHeader[] = (record.headers ?? []).map((h) => ({ key: utf8Encoder.encode(h.key), value: h.value }));
  let bodySize =
    1 +
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    (record.key === null ? sizeOfVarint(-1) : sizeOfVarint(record.key.length) + record.key.length) +
    (record.value === null ? sizeOfVarint(-1) : sizeOfVarint(record.value.length) + record.value.length) +
    sizeOfVarint(headers.length);
  for (const h of headers) {
    bodySize += sizeOfVarint(h.key.length) + h.key.length;
    bodySize += h.value === null ? sizeOfVarint(-1) : sizeOfVarint(h.value.length) + h.value.length;
  }
  const start = w.size;
  w.writeVarint(bodySize);
  const bodyStart = w.size;
  w.writeInt8(0); // record attributes: unused
  w.writeVarlong(timestampDelta);
  w.writeVarint(offsetDelta);
  writeNullableBytes(w, record.key);
  writeNullableBytes(w, record.value);
  w.writeVarint(headers.length);
  for (const h of headers) {
    w.writeVarint(h.key.length).writeBytes(h.key);
    writeNullableBytes(w, h.value);
  }
  if (w.size - bodyStart !== bodySize) throw new Error(`record size mismatch at ${start}: ${w.size - bodyStart} != ${bodySize}`);
}

function writeNullableBytes(w: ByteWriter, bytes: Uint8Array | null): void {
  if (bytes === null) w.writeVarint(-1);
  else w.writeVarint(bytes.length).writeBytes(bytes);
}

/**
 * Builds one v2 batch. Defaults: baseOffset 0, partitionLeaderEpoch -1, no compression, CreateTime,
 * producerId -1, producerEpoch -1, baseSequence -1. baseTimestamp is the first record's timestamp,
 * maxTimestamp the largest; an empty batch gets -1 for both and lastOffsetDelta 0.
 */
export async function encodeBatch(input: BatchInput): Promise<Uint8Array> {
  const {
    baseOffset = 0,
    partitionLeaderEpoch = -1,
    compression = 'none',
    timestampType = 'CreateTime',
    producerId = -1,
    producerEpoch = -1,
    baseSequence = -1,
    isTransactional = false,
    isControl = false,
    records,
  } = input;
  checkInt('baseOffset', baseOffset, ...SAFE);
  checkInt('partitionLeaderEpoch', partitionLeaderEpoch, ...INT32);
  checkInt('producerId', producerId, ...SAFE);
  checkInt('producerEpoch', producerEpoch, ...INT16);
  checkInt('baseSequence', baseSequence, ...INT32);
  checkInt('record count', records.length, 0, INT32[1]);

  const baseTimestamp = records.length > 0 ? records[0].timestamp : NO_TIMESTAMP;
  let maxTimestamp = NO_TIMESTAMP;
  for (const r of records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;

  const body = new ByteWriter(64 + records.length * 32);
  records.forEach((r, i) => encodeRecord(body, r, i, baseTimestamp));
  const recordBytes = await compress(compression, body.finish());

  let attributes = compressionCode(compression);
  if (timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_MASK;
  if (isTransactional) attributes |= TRANSACTIONAL_MASK;
  if (isControl) attributes |= CONTROL_MASK;

  const w = new ByteWriter(BATCH_HEADER_SIZE + recordBytes.length);
  w.writeInt64(baseOffset);
  w.writeInt32(BATCH_HEADER_SIZE - LOG_OVERHEAD + recordBytes.length);
  w.writeInt32(partitionLeaderEpoch);
  w.writeInt8(CURRENT_MAGIC);
  w.writeUInt32(0); // crc, filled in below
  w.writeInt16(attributes);
  w.writeInt32(records.length > 0 ? records.length - 1 : 0);
  w.writeInt64(baseTimestamp);
  w.writeInt64(maxTimestamp);
  w.writeInt64(producerId);
  w.writeInt16(producerEpoch);
  w.writeInt32(baseSequence);
  w.writeInt32(records.length);
  w.writeBytes(recordBytes);
  const bytes = w.finish();
  viewOf(bytes).setUint32(CRC_OFFSET, crc32c(bytes, ATTRIBUTES_OFFSET, bytes.length));
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Header access

/** Parses the 61-byte header at `at`. Throws CorruptRecordError when it is cut short or magic != 2. */
export function readBatchHeader(bytes: Uint8Array, at = 0): BatchHeader {
  if (!Number.isInteger(at) || at < 0 || bytes.length - at < BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(`batch header at ${at} needs ${BATCH_HEADER_SIZE} bytes, ${Math.max(0, bytes.length - at)} available`);
  }
  const v = viewOf(bytes);
  const magic = v.getInt8(at + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) throw new CorruptRecordError(`unsupported magic ${magic} in batch at ${at}`);
  const batchLength = v.getInt32(at + BATCH_LENGTH_OFFSET);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new CorruptRecordError(`batch length ${batchLength} at ${at} is smaller than the header`);
  }
  const attributes = v.getInt16(at + ATTRIBUTES_OFFSET);
  let compression: CompressionType;
  try {
    compression = compressionFromCode(attributes & COMPRESSION_MASK);
  } catch {
    throw new CorruptRecordError(`unknown compression code ${attributes & COMPRESSION_MASK} in batch at ${at}`);
  }
  const baseOffset = Number(v.getBigInt64(at + BASE_OFFSET_OFFSET));
  const lastOffsetDelta = v.getInt32(at + LAST_OFFSET_DELTA_OFFSET);
  return {
    baseOffset,
    batchLength,
    sizeInBytes: LOG_OVERHEAD + batchLength,
    partitionLeaderEpoch: v.getInt32(at + PARTITION_LEADER_EPOCH_OFFSET),
    magic,
    crc: v.getUint32(at + CRC_OFFSET),
    attributes,
    compression,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    lastOffsetDelta,
    lastOffset: baseOffset + lastOffsetDelta,
    baseTimestamp: Number(v.getBigInt64(at + BASE_TIMESTAMP_OFFSET)),
    maxTimestamp: Number(v.getBigInt64(at + MAX_TIMESTAMP_OFFSET)),
    producerId: Number(v.getBigInt64(at + PRODUCER_ID_OFFSET)),
    producerEpoch: v.getInt16(at + PRODUCER_EPOCH_OFFSET),
    baseSequence: v.getInt32(at + BASE_SEQUENCE_OFFSET),
    recordCount: v.getInt32(at + RECORDS_COUNT_OFFSET),
  };
}

/** Byte range [start, end) of the batch at `at`, or null when the bytes cannot hold it. */
function batchRange(bytes: Uint8Array, at: number): { end: number } | null {
  if (!Number.isInteger(at) || at < 0 || bytes.length - at < BATCH_HEADER_SIZE) return null;
  const batchLength = viewOf(bytes).getInt32(at + BATCH_LENGTH_OFFSET);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) return null;
  const end = at + LOG_OVERHEAD + batchLength;
  return end <= bytes.length ? { end } : null;
}

/** The CRC-32C the batch at `at` should carry (of its bytes from attributes to its end). */
export function computeBatchCrc(bytes: Uint8Array, at = 0): number {
  const range = batchRange(bytes, at);
  if (!range) throw new CorruptRecordError(`no complete batch at ${at}`);
  return crc32c(bytes, at + ATTRIBUTES_OFFSET, range.end);
}

/** Whether the batch at `at` is complete and its stored CRC matches its content. Never throws. */
export function verifyBatchCrc(bytes: Uint8Array, at = 0): boolean {
  const range = batchRange(bytes, at);
  if (!range) return false;
  return viewOf(bytes).getUint32(at + CRC_OFFSET) === crc32c(bytes, at + ATTRIBUTES_OFFSET, range.end);
}

function requireHeader(bytes: Uint8Array, at: number): void {
  if (!Number.isInteger(at) || at < 0 || bytes.length - at < BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(`no batch header at ${at}`);
  }
}

/** Stamps the batch's base offset in place. It lies outside the CRC, which stays valid. */
export function setBaseOffset(bytes: Uint8Array, baseOffset: number, at = 0): void {
  checkInt('baseOffset', baseOffset, ...SAFE);
  requireHeader(bytes, at);
  viewOf(bytes).setBigInt64(at + BASE_OFFSET_OFFSET, BigInt(baseOffset));
}

/** Stamps the partition leader epoch in place. It lies outside the CRC, which stays valid. */
export function setPartitionLeaderEpoch(bytes: Uint8Array, epoch: number, at = 0): void {
  checkInt('partitionLeaderEpoch', epoch, ...INT32);
  requireHeader(bytes, at);
  viewOf(bytes).setInt32(at + PARTITION_LEADER_EPOCH_OFFSET, epoch);
}

/**
 * Turns the batch into a LogAppendTime batch stamped `timestamp`, in place, as a broker with
 * message.timestamp.type=LogAppendTime does: the timestampType bit is set, maxTimestamp becomes
 * `timestamp`, and the CRC (which covers both) is recomputed. Every record then reads as `timestamp`.
 */
export function setLogAppendTime(bytes: Uint8Array, timestamp: number, at = 0): void {
  checkInt('timestamp', timestamp, ...SAFE);
  const range = batchRange(bytes, at);
  if (!range) throw new CorruptRecordError(`no complete batch at ${at}`);
  const v = viewOf(bytes);
  v.setInt16(at + ATTRIBUTES_OFFSET, v.getInt16(at + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK);
  v.setBigInt64(at + MAX_TIMESTAMP_OFFSET, BigInt(timestamp));
  v.setUint32(at + CRC_OFFSET, crc32c(bytes, at + ATTRIBUTES_OFFSET, range.end));
}

// ---------------------------------------------------------------------------------------------
// Decoding records

/**
 * Decodes every record of the batch at `at`, decompressing its records section as needed.
 * offset = baseOffset + offsetDelta; timestamp = baseTimestamp + timestampDelta, or maxTimestamp
 * for a LogAppendTime batch (as Kafka reads it). Keys and values are fresh copies. Does not check
 * the CRC (see verifyBatchCrc); throws CorruptRecordError on anything malformed.
 */
export async function decodeRecords(bytes: Uint8Array, at = 0): Promise<DecodedRecord[]> {
  const header = readBatchHeader(bytes, at);
  const end = at + header.sizeInBytes;
  if (end > bytes.length) {
    throw new CorruptRecordError(`batch at ${at} needs ${header.sizeInBytes} bytes, ${bytes.length - at} available`);
  }
  if (header.recordCount < 0) throw new CorruptRecordError(`negative record count ${header.recordCount}`);
  let section = bytes.subarray(at + BATCH_HEADER_SIZE, end);
  if (header.compression !== 'none') {
    try {
      section = await decompress(header.compression, section);
    } catch (e) {
      throw new CorruptRecordError(`cannot ${header.compression}-decompress batch at offset ${header.baseOffset}: ${(e as Error).message}`);
    }
  }
  const logAppendTime = header.timestampType === 'LogAppendTime' ? header.maxTimestamp : null;
  const r = new ByteReader(section);
  const records: DecodedRecord[] = [];
  try {
    for (let i = 0; i < header.recordCount; i++) records.push(readRecord(r, header, logAppendTime));
  } catch (e) {
    if (e instanceof CorruptRecordError) throw e;
    throw new CorruptRecordError(`record ${records.length} of batch at offset ${header.baseOffset}: ${(e as Error).message}`);
  }
  if (r.remaining !== 0) {
    throw new CorruptRecordError(`${r.remaining} bytes left after ${header.recordCount} records in batch at offset ${header.baseOffset}`);
  }
  return records;
}

function readRecord(r: ByteReader, header: BatchHeader, logAppendTime: number | null): DecodedRecord {
  const start = r.pos;
  const length = r.readVarint();
  if (length < 0) throw new CorruptRecordError(`negative record length ${length}`);
  const bodyStart = r.pos;
  if (r.remaining < length) throw new CorruptRecordError(`record length ${length} exceeds the ${r.remaining} bytes left`);
  r.readInt8(); // attributes: unused
  const timestampDelta = r.readVarlong();
  const offsetDelta = r.readVarint();
  const key = readNullableBytes(r, 'key');
  const value = readNullableBytes(r, 'value');
  const headerCount = r.readVarint();
  if (headerCount < 0) throw new CorruptRecordError(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.readVarint();
    if (keyLength < 0) throw new CorruptRecordError(`negative header key length ${keyLength}`);
    let headerKey: string;
    try {
      headerKey = utf8Decoder.decode(r.readBytesView(keyLength));
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw new CorruptRecordError('header key is not valid UTF-8');
    }
    headers.push({ key: headerKey, value: readNullableBytes(r, 'header value') });
  }
  if (r.pos - bodyStart !== length) {
    throw new CorruptRecordError(`record declares ${length} bytes but holds ${r.pos - bodyStart}`);
  }
  return {
    offset: header.baseOffset + offsetDelta,
    timestamp: logAppendTime ?? header.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
    sizeInBytes: r.pos - start,
  };
}

function readNullableBytes(r: ByteReader, what: string): Uint8Array | null {
  const length = r.readVarint();
  if (length === -1) return null;
  if (length < -1) throw new CorruptRecordError(`invalid ${what} length ${length}`);
  return r.readBytes(length);
}

// ---------------------------------------------------------------------------------------------
// Scanning

export interface ScanResult {
  batches: { at: number; header: BatchHeader }[];
  /** Bytes from the start that hold whole, valid batches: where the scan stopped. */
  validBytes: number;
  /** Why the scan stopped before the end, if it did. */
  error?: string;
}

/**
 * Walks concatenated batches from the start of `buffer`, as Kafka's log recovery does, stopping at
 * the first partial batch, bad length, bad magic or CRC mismatch. Never throws.
 */
export function scanBatches(buffer: Uint8Array): ScanResult {
  const batches: ScanResult['batches'] = [];
  const v = viewOf(buffer);
  let at = 0;
  const stop = (error: string): ScanResult => ({ batches, validBytes: at, error });
  while (at < buffer.length) {
    const left = buffer.length - at;
    if (left < LOG_OVERHEAD) return stop(`partial batch at ${at}: ${left} bytes, too short for a batch length`);
    const batchLength = v.getInt32(at + BATCH_LENGTH_OFFSET);
    if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
      return stop(`corrupt batch at ${at}: batch length ${batchLength} is smaller than a header`);
    }
    const size = LOG_OVERHEAD + batchLength;
    if (left < MAGIC_OFFSET + 1) return stop(`partial batch at ${at}: ${left} of ${size} bytes`);
    const magic = v.getInt8(at + MAGIC_OFFSET);
    if (magic !== CURRENT_MAGIC) return stop(`corrupt batch at ${at}: unsupported magic ${magic}`);
    if (left < size) return stop(`partial batch at ${at}: ${left} of ${size} bytes`);
    const stored = v.getUint32(at + CRC_OFFSET);
    const actual = crc32c(buffer, at + ATTRIBUTES_OFFSET, at + size);
    if (stored !== actual) {
      return stop(`corrupt batch at ${at}: CRC-32C mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
    }
    let header: BatchHeader;
    try {
      header = readBatchHeader(buffer, at);
    } catch (e) {
      return stop(`corrupt batch at ${at}: ${(e as Error).message}`);
    }
    batches.push({ at, header });
    at += size;
  }
  return { batches, validBytes: at };
}
