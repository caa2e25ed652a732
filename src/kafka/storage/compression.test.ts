import { describe, expect, it } from 'vitest';
import * as snappyjs from 'snappyjs';
import { COMPRESSION_TYPES, compress, compressionCode, compressionFromCode, decompress, type CompressionType } from './compression';

function pseudoRandom(n: number, seed = 7): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

function repetitive(n: number): Uint8Array {
  const text = new TextEncoder().encode('{"user":"alice","action":"click","page":"/home"} ');
  return Uint8Array.from({ length: n }, (_, i) => text[i % text.length]);
}

const samples: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', new Uint8Array([42])],
  ['small text', new TextEncoder().encode('hello kafka, héllo ünïcode ✓')],
  ['random 1 KiB', pseudoRandom(1024)],
  ['random 200 KiB (several blocks)', pseudoRandom(200 * 1024, 99)],
  ['repetitive 300 KiB (several blocks)', repetitive(300 * 1024)],
  ['zeros 70 KiB', new Uint8Array(70 * 1024)],
];

describe('compression codes', () => {
  it('uses Kafka codes', () => {
    expect(COMPRESSION_TYPES.map(compressionCode)).toEqual([0, 1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4].map(compressionFromCode)).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
  });

  it('rejects unknown codes and types', () => {
    expect(() => compressionFromCode(5)).toThrow(/UNSUPPORTED_COMPRESSION_TYPE/);
    expect(() => compressionFromCode(-1)).toThrow(/UNSUPPORTED_COMPRESSION_TYPE/);
    expect(() => compressionCode('brotli' as CompressionType)).toThrow(/UNSUPPORTED_COMPRESSION_TYPE/);
  });
});

describe.each(COMPRESSION_TYPES)('%s', (type) => {
  it.each(samples)('round-trips %s', async (_name, data) => {
    const packed = await compress(type, data);
    const unpacked = await decompress(type, packed);
    expect(unpacked.length).toBe(data.length);
    expect(Buffer.from(unpacked).equals(Buffer.from(data))).toBe(true);
  });

  it('shrinks repetitive data', async () => {
    const data = repetitive(100 * 1024);
    const packed = await compress(type, data);
    if (type === 'none') expect(packed).toBe(data);
    else expect(packed.length).toBeLessThan(data.length / 4);
  });

  it('rejects garbage', async () => {
    if (type === 'none') return;
    await expect(decompress(type, pseudoRandom(64, 3))).rejects.toThrow();
  });
});

describe('gzip', () => {
  it('writes the gzip magic', async () => {
    const packed = await compress('gzip', new TextEncoder().encode('hello'));
    expect(packed[0]).toBe(0x1f);
    expect(packed[1]).toBe(0x8b);
  });
});

describe('snappy (xerial framing)', () => {
  it('writes the xerial header and 32 KiB blocks', async () => {
    const data = repetitive(40 * 1024);
    const packed = await compress('snappy', data);
    expect(Array.from(packed.subarray(0, 16))).toEqual([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const view = new DataView(packed.buffer, packed.byteOffset);
    const first = view.getInt32(16);
    const second = view.getInt32(20 + first);
    expect(20 + first + 4 + second).toBe(packed.length);
    expect(snappyjs.uncompress(packed.subarray(20, 20 + first)).length).toBe(32 * 1024);
  });

  it('reads raw (unframed) snappy too', async () => {
    const data = repetitive(5000);
    const raw = snappyjs.compress(data);
    expect(Buffer.from(await decompress('snappy', raw)).equals(Buffer.from(data))).toBe(true);
  });

  it('reads concatenated framed streams', async () => {
    const a = await compress('snappy', new TextEncoder().encode('first;'));
    const b = await compress('snappy', new TextEncoder().encode('second'));
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(new TextDecoder().decode(await decompress('snappy', both))).toBe('first;second');
  });

  it('rejects a truncated framed stream', async () => {
    const packed = await compress('snappy', repetitive(1000));
    await expect(decompress('snappy', packed.subarray(0, packed.length - 3))).rejects.toThrow();
  });
});

describe('lz4 (frame format)', () => {
  it('writes a standard frame header with independent 64 KiB blocks', async () => {
    const packed = await compress('lz4', repetitive(1000));
    expect(Array.from(packed.subarray(0, 6))).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    // xxh32 of FLG BD (0x60 0x40) with seed 0, second byte: the well-known 0x82 of lz4 frames with these flags.
    expect(packed[6]).toBe(0x82);
    expect(Array.from(packed.subarray(packed.length - 4))).toEqual([0, 0, 0, 0]);
  });

  it('reads frames from lz4js own encoder (4 MiB blocks, dependent blocks flag)', async () => {
    const lz4js = await import('lz4js');
    const data = repetitive(50_000);
    const packed = lz4js.compress(data);
    expect(Buffer.from(await decompress('lz4', packed)).equals(Buffer.from(data))).toBe(true);
  });

  it('reads a frame with block and content checksums and a content size', async () => {
    const { hash } = await import('lz4js/xxh32.js');
    const payload = new TextEncoder().encode('stored block!');
    // FLG: version 01 | independent | block checksum | content size | content checksum.
    const header = [0x04, 0x22, 0x4d, 0x18, 0x7c, 0x40, payload.length, 0, 0, 0, 0, 0, 0, 0];
    const descriptor = Uint8Array.from(header.slice(4));
    const frame: number[] = [...header, (hash(0, descriptor, 0, descriptor.length) >>> 8) & 0xff];
    const le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
    frame.push(...le((0x80000000 | payload.length) >>> 0), ...payload, ...le(hash(0, payload, 0, payload.length)));
    frame.push(0, 0, 0, 0, ...le(hash(0, payload, 0, payload.length)));
    const out = await decompress('lz4', Uint8Array.from(frame));
    expect(new TextDecoder().decode(out)).toBe('stored block!');
    const corrupt = Uint8Array.from(frame);
    corrupt[corrupt.length - 1] ^= 1;
    await expect(decompress('lz4', corrupt)).rejects.toThrow(/checksum/);
  });

  it('keeps the end-of-block rules reference decoders enforce (last match starts >= 12 bytes before the end)', async () => {
    // Walks every compressed block, checking each match against the LZ4 block format's end rules.
    const check = (frame: Uint8Array) => {
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      let at = 7;
      let blocks = 0;
      for (;;) {
        const word = view.getUint32(at, true);
        at += 4;
        if (word === 0) break;
        const size = (word & 0x7fffffff) >>> 0;
        if (!(word & 0x80000000)) {
          blocks++;
          let p = at;
          let out = 0;
          const outputs: number[] = [];
          while (p < at + size) {
            const token = frame[p++];
            let lit = token >> 4;
            if (lit === 15) for (let b = 255; b === 255; lit += b) b = frame[p++];
            p += lit;
            out += lit;
            if (p >= at + size) break;
            p += 2;
            let ml = token & 15;
            if (ml === 15) for (let b = 255; b === 255; ml += b) b = frame[p++];
            outputs.push(out);
            out += ml + 4;
          }
          expect(p).toBe(at + size);
          for (const matchStart of outputs) expect(out - matchStart).toBeGreaterThanOrEqual(12);
        }
        at += size;
      }
      return blocks;
    };
    let compressedBlocks = 0;
    for (const n of [13, 14, 15, 16, 17, 20, 100, 65521, 65530, 65533, 65535, 65536, 65537, 140_000]) {
      for (const data of [repetitive(n), new Uint8Array(n), Uint8Array.from({ length: n }, (_, i) => i % 7)]) {
        const packed = await compress('lz4', data);
        compressedBlocks += check(packed);
        expect(Buffer.from(await decompress('lz4', packed)).equals(Buffer.from(data))).toBe(true);
      }
    }
    expect(compressedBlocks).toBeGreaterThan(30);
  });

  it('rejects a bad header checksum', async () => {
    const packed = await compress('lz4', repetitive(1000));
    packed[6] ^= 0xff;
    await expect(decompress('lz4', packed)).rejects.toThrow(/checksum/);
  });
});

describe('zstd', () => {
  it('writes a zstd frame', async () => {
    const packed = await compress('zstd', repetitive(1000));
    expect(Array.from(packed.subarray(0, 4))).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
  });

  it('reads concatenated frames', async () => {
    const a = await compress('zstd', new TextEncoder().encode('first;'));
    const b = await compress('zstd', new TextEncoder().encode('second'));
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(new TextDecoder().decode(await decompress('zstd', both))).toBe('first;second');
  });
});
