/**
 * Zig-zag variable-length integers as Kafka writes them (ByteUtils.writeVarint / writeVarlong),
 * plus a growable big-endian byte writer and a bounds-checked reader used by the record format.
 *
 * varint: a signed 32-bit value, zig-zag mapped ((n << 1) ^ (n >> 31)) then written 7 bits at a
 * time, least significant group first, high bit set on every byte but the last (1 to 5 bytes).
 * varlong: the same for signed 64-bit values (1 to 10 bytes). Here varlongs are JS numbers: any
 * safe integer (|n| <= 2^53 - 1) round-trips exactly; BigInt variants cover the full int64 range.
 */

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const MASK64 = (1n << 64n) - 1n;
/** Below this magnitude a varlong's zig-zag value (< 2^53) is handled exactly with plain numbers. */
const NUMBER_FAST_LIMIT = 2 ** 52;

/** Thrown when a read runs past the end of the data or a varint is malformed. */
export class BufferUnderflowError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'BufferUnderflowError';
  }
}

function checkInt32(n: number): void {
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw new RangeError(`not an int32: ${n}`);
}

function checkSafe(n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
}

function checkInt64(n: bigint): void {
  if (n < INT64_MIN || n > INT64_MAX) throw new RangeError(`not an int64: ${n}`);
}

/** Zig-zag of an int32, as an unsigned 32-bit number. */
export function zigZagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Inverse of zigZagEncode32. */
export function zigZagDecode32(z: number): number {
  return (z >>> 1) ^ -(z & 1);
}

/** Zig-zag of an int64, as an unsigned 64-bit bigint. */
export function zigZagEncode64(n: bigint): bigint {
  return ((n << 1n) ^ (n >> 63n)) & MASK64;
}

/** Inverse of zigZagEncode64. */
export function zigZagDecode64(z: bigint): bigint {
  return (z >> 1n) ^ -(z & 1n);
}

/** Bytes a varint of `n` (an int32) takes: 1 to 5. */
export function sizeOfVarint(n: number): number {
  let v = zigZagEncode32(n);
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Bytes a varlong of `n` (a safe integer or a bigint) takes: 1 to 10. */
export function sizeOfVarlong(n: number | bigint): number {
  if (typeof n === 'number' && Math.abs(n) < NUMBER_FAST_LIMIT) {
    let v = n >= 0 ? n * 2 : -n * 2 - 1;
    let size = 1;
    while (v >= 128) {
      v = Math.floor(v / 128);
      size++;
    }
    return size;
  }
  let v = zigZagEncode64(BigInt(n));
  let size = 1;
  while (v >= 128n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** The varint bytes of an int32. */
export function encodeVarint(n: number): Uint8Array {
  const w = new ByteWriter(5);
  w.writeVarint(n);
  return w.finish();
}

/** The varlong bytes of a safe integer or bigint int64. */
export function encodeVarlong(n: number | bigint): Uint8Array {
  const w = new ByteWriter(10);
  w.writeVarlong(n);
  return w.finish();
}

/** Reads a varint at `at`: its value and how many bytes it took. */
export function decodeVarint(bytes: Uint8Array, at = 0): { value: number; size: number } {
  const r = new ByteReader(bytes, at);
  const value = r.readVarint();
  return { value, size: r.pos - at };
}

/** Reads a varlong at `at` as a number (exact within ±2^53): its value and how many bytes it took. */
export function decodeVarlong(bytes: Uint8Array, at = 0): { value: number; size: number } {
  const r = new ByteReader(bytes, at);
  const value = r.readVarlong();
  return { value, size: r.pos - at };
}

/** Appends big-endian fixed-width integers, varints and raw bytes to a growing buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  writeInt8(n: number): this {
    this.ensure(1);
    this.view.setInt8(this.length, n);
    this.length += 1;
    return this;
  }

  writeUInt8(n: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, n);
    this.length += 1;
    return this;
  }

  writeInt16(n: number): this {
    this.ensure(2);
    this.view.setInt16(this.length, n);
    this.length += 2;
    return this;
  }

  writeInt32(n: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, n);
    this.length += 4;
    return this;
  }

  writeUInt32(n: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, n);
    this.length += 4;
    return this;
  }

  /** A signed 64-bit integer from a safe integer number or a bigint. */
  writeInt64(n: number | bigint): this {
    if (typeof n === 'number') checkSafe(n);
    const big = BigInt(n);
    checkInt64(big);
    this.ensure(8);
    this.view.setBigInt64(this.length, big);
    this.length += 8;
    return this;
  }

  writeVarint(n: number): this {
    checkInt32(n);
    let v = zigZagEncode32(n);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
    return this;
  }

  /** A varlong from a safe integer number or any int64 bigint. */
  writeVarlong(n: number | bigint): this {
    this.ensure(10);
    if (typeof n === 'number') {
      checkSafe(n);
      if (Math.abs(n) < NUMBER_FAST_LIMIT) {
        // Zig-zag value < 2^53: exact in double arithmetic.
        let v = n >= 0 ? n * 2 : -n * 2 - 1;
        while (v >= 128) {
          this.buf[this.length++] = (v % 128) | 0x80;
          v = Math.floor(v / 128);
        }
        this.buf[this.length++] = v;
        return this;
      }
    }
    const big = BigInt(n);
    checkInt64(big);
    let v = zigZagEncode64(big);
    while (v >= 128n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
    return this;
  }

  writeBytes(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** Overwrites an int32 at an earlier position (for back-patched length fields). */
  patchInt32(position: number, n: number): this {
    if (position < 0 || position + 4 > this.length) throw new RangeError(`patch outside written bytes: ${position}`);
    this.view.setInt32(position, n);
    return this;
  }

  /** A copy-free view of what was written; the writer must not be used afterwards. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Reads big-endian fixed-width integers and varints, throwing BufferUnderflowError past `end`. */
export class ByteReader {
  private readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError(`bad reader range [${start}, ${end})`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new BufferUnderflowError(`need ${n} bytes at ${this.pos}, only ${this.end - this.pos} left`);
    }
  }

  readInt8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  readUInt8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  readInt16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64BigInt(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** An int64 as a number (exact within ±2^53). */
  readInt64(): number {
    return Number(this.readInt64BigInt());
  }

  /** A varint (at most 5 bytes, as Kafka's ByteUtils.readVarint). */
  readVarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.readUInt8();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return zigZagDecode32(value >>> 0);
      shift += 7;
      if (shift > 28) throw new BufferUnderflowError(`varint longer than 5 bytes ending at ${this.pos}`);
    }
  }

  /** A varlong as a bigint (at most 10 bytes, as Kafka's ByteUtils.readVarlong). */
  readVarlongBigInt(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.readUInt8();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asIntN(64, zigZagDecode64(value & MASK64));
      shift += 7n;
      if (shift > 63n) throw new BufferUnderflowError(`varlong longer than 10 bytes ending at ${this.pos}`);
    }
  }

  /** A varlong as a number: exact within ±2^53 (beyond that, the nearest double). */
  readVarlong(): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    // Up to 7 groups (49 bits) the zig-zag value stays exact in double arithmetic.
    for (let i = 0; i < 7; i++) {
      const b = this.readUInt8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      scale *= 128;
    }
    this.pos = start;
    return Number(this.readVarlongBigInt());
  }

  /** `n` bytes as a view into the underlying array (no copy). */
  readBytesView(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` bytes as a fresh copy. */
  readBytes(n: number): Uint8Array {
    return this.readBytesView(n).slice();
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}
