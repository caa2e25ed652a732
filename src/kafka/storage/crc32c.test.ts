import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c';

/** Bit-at-a-time reference, straight from the definition, to cross-check the sliced tables. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is 0 for empty input', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('honours start and end', () => {
    const data = new TextEncoder().encode('xx123456789yyy');
    expect(crc32c(data, 2, 11)).toBe(0xe3069283);
    expect(crc32c(data, 5, 5)).toBe(0);
  });

  it('agrees with a bitwise implementation for every length and alignment', () => {
    let seed = 12345;
    const data = Uint8Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 7) {
        expect(crc32c(data, start, end)).toBe(crc32cBitwise(data.subarray(start, end)));
      }
    }
  });

  it('returns an unsigned value', () => {
    const v = crc32c(new Uint8Array(32).fill(0xff));
    expect(v).toBeGreaterThan(0);
    expect(crc32c(new Uint8Array([1, 2, 3]))).toBeGreaterThanOrEqual(0);
  });

  it('rejects a range outside the array', () => {
    expect(() => crc32c(new Uint8Array(4), 0, 5)).toThrow(RangeError);
    expect(() => crc32c(new Uint8Array(4), 3, 2)).toThrow(RangeError);
  });
});
