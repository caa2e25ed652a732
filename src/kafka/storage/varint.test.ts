import { describe, expect, it } from 'vitest';
import {
  BufferUnderflowError,
  ByteReader,
  ByteWriter,
  decodeVarint,
  decodeVarlong,
  encodeVarint,
  encodeVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  zigZagDecode32,
  zigZagEncode32,
} from './varint';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('zig-zag varint (Kafka ByteUtils)', () => {
  // The zig-zag mapping and byte strings Kafka's ByteUtilsTest / protobuf documentation give.
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [2, '04'],
    [63, '7e'],
    [-64, '7f'],
    [64, '80 01'],
    [-65, '81 01'],
    [150, 'ac 02'],
    [300, 'd8 04'],
    [-300, 'd7 04'],
    [8191, 'fe 7f'],
    [-8192, 'ff 7f'],
    [8192, '80 80 01'],
    [2147483647, 'fe ff ff ff 0f'],
    [-2147483648, 'ff ff ff ff 0f'],
  ];

  it.each(cases)('varint %d encodes to %s', (n, bytes) => {
    const enc = encodeVarint(n);
    expect(hex(enc)).toBe(bytes);
    expect(sizeOfVarint(n)).toBe(enc.length);
    expect(decodeVarint(enc)).toEqual({ value: n, size: enc.length });
  });

  it.each(cases)('varlong %d encodes like the varint %s', (n, bytes) => {
    const enc = encodeVarlong(n);
    expect(hex(enc)).toBe(bytes);
    expect(sizeOfVarlong(n)).toBe(enc.length);
    expect(decodeVarlong(enc)).toEqual({ value: n, size: enc.length });
  });

  it('zig-zag maps small values as documented', () => {
    expect([0, -1, 1, -2, 2].map(zigZagEncode32)).toEqual([0, 1, 2, 3, 4]);
    expect(zigZagEncode32(2147483647)).toBe(4294967294);
    expect(zigZagEncode32(-2147483648)).toBe(4294967295);
    for (const n of [0, 1, -1, 123456, -123456, 2147483647, -2147483648]) expect(zigZagDecode32(zigZagEncode32(n))).toBe(n);
  });

  it('encodes int64 extremes like Kafka', () => {
    expect(hex(encodeVarlong(9223372036854775807n))).toBe('fe ff ff ff ff ff ff ff ff 01');
    expect(hex(encodeVarlong(-9223372036854775808n))).toBe('ff ff ff ff ff ff ff ff ff 01');
    const r = new ByteReader(encodeVarlong(-9223372036854775808n));
    expect(r.readVarlongBigInt()).toBe(-9223372036854775808n);
  });

  it('round-trips varlongs across ±2^53', () => {
    const values = [
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 52,
      -(2 ** 52),
      2 ** 52 - 1,
      -(2 ** 52) + 1,
      2 ** 49,
      -(2 ** 49) - 1,
      2 ** 35 + 7,
      1_700_000_000_000,
      -1_700_000_000_000,
      4294967296,
      -4294967297,
    ];
    for (let i = 0; i < 64; i++) values.push(2 ** (i % 53) - 3, -(2 ** (i % 53)) + 5);
    for (const v of values) {
      const enc = encodeVarlong(v);
      expect(sizeOfVarlong(v), `size of ${v}`).toBe(enc.length);
      expect(decodeVarlong(enc).value, `value ${v}`).toBe(v);
      expect(new ByteReader(enc).readVarlongBigInt()).toBe(BigInt(v));
      expect(hex(encodeVarlong(BigInt(v)))).toBe(hex(enc));
    }
  });

  it('round-trips every int32 boundary and a sweep', () => {
    const w = new ByteWriter(4);
    const values: number[] = [];
    for (let e = 0; e < 31; e++) values.push(2 ** e, 2 ** e - 1, -(2 ** e), -(2 ** e) - 1);
    values.push(2147483647, -2147483648);
    for (const v of values) w.writeVarint(v);
    const r = new ByteReader(w.finish());
    for (const v of values) expect(r.readVarint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('rejects out-of-range inputs', () => {
    expect(() => encodeVarint(2147483648)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarlong(2 ** 53)).toThrow(RangeError);
    expect(() => encodeVarlong(1n << 63n)).toThrow(RangeError);
  });

  it('throws on truncated or over-long varints', () => {
    expect(() => decodeVarint(new Uint8Array([0x80]))).toThrow(BufferUnderflowError);
    expect(() => decodeVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/longer than 5/);
    expect(() => decodeVarlong(new Uint8Array(11).fill(0xff))).toThrow(/longer than 10/);
    expect(() => decodeVarlong(new Uint8Array([0xff, 0xff]))).toThrow(BufferUnderflowError);
  });
});

describe('ByteWriter / ByteReader', () => {
  it('writes big-endian fixed-width fields and reads them back', () => {
    const w = new ByteWriter(1);
    w.writeInt8(-2).writeUInt8(200).writeInt16(-300).writeInt32(-5).writeUInt32(0xdeadbeef);
    w.writeInt64(-1).writeInt64(1_700_000_000_000).writeInt64(9007199254740991n);
    w.writeBytes(new Uint8Array([1, 2, 3]));
    const bytes = w.finish();
    expect(bytes.length).toBe(1 + 1 + 2 + 4 + 4 + 8 * 3 + 3);
    expect(hex(bytes.subarray(0, 12))).toBe('fe c8 fe d4 ff ff ff fb de ad be ef');
    expect(hex(bytes.subarray(20, 28))).toBe('00 00 01 8b cf e5 68 00');
    const r = new ByteReader(bytes);
    expect(r.readInt8()).toBe(-2);
    expect(r.readUInt8()).toBe(200);
    expect(r.readInt16()).toBe(-300);
    expect(r.readInt32()).toBe(-5);
    expect(r.readUInt32()).toBe(0xdeadbeef);
    expect(r.readInt64()).toBe(-1);
    expect(r.readInt64()).toBe(1_700_000_000_000);
    expect(r.readInt64BigInt()).toBe(9007199254740991n);
    expect(Array.from(r.readBytes(3))).toEqual([1, 2, 3]);
    expect(() => r.readUInt8()).toThrow(BufferUnderflowError);
  });

  it('patches an int32 in place', () => {
    const w = new ByteWriter();
    w.writeInt32(0).writeInt8(7);
    w.patchInt32(0, 42);
    expect(hex(w.finish())).toBe('00 00 00 2a 07');
    expect(() => w.patchInt32(3, 1)).toThrow(RangeError);
  });

  it('reads relative to a subarray and respects end', () => {
    const backing = new Uint8Array([9, 9, 0, 0, 0, 5, 9]);
    const r = new ByteReader(backing.subarray(2), 0, 4);
    expect(r.readInt32()).toBe(5);
    expect(() => r.readInt8()).toThrow(BufferUnderflowError);
  });
});
