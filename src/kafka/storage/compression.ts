/**
 * Kafka's record-batch compression codecs, byte-compatible with the Java client:
 *  - gzip: the platform's CompressionStream / DecompressionStream.
 *  - snappy: the `snappyjs` block codec inside xerial-snappy stream framing, which is what Kafka's
 *    Java client writes (SnappyOutputStream); raw (unframed) snappy is accepted on read too.
 *  - lz4: the `lz4js` block codec inside an LZ4 frame (magic 0x184D2204, version 01, independent
 *    64 KiB blocks, no checksums), as Kafka's KafkaLZ4BlockOutputStream writes for magic v2.
 *  - zstd: compression by `@hpcc-js/wasm-zstd` (zstd's C library as wasm, inlined in the JS, so it
 *    loads without any fetch in Node, browsers and workers); decompression by `fzstd` (pure JS,
 *    handles multi-frame streams and frames without a content size, as zstd-jni writes them).
 * The lz4 and zstd packages are loaded on first use only.
 */
import { concatBytes } from '../common/serial';
import * as snappy from 'snappyjs';
import { KafkaProtocolError } from '../protocol/errors';

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** All compression types, in Kafka's code order (index = code). */
export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Kafka's attribute code for a compression type: none=0, gzip=1, snappy=2, lz4=3, zstd=4. */
export function compressionCode(type: CompressionType): number {
  const code = COMPRESSION_TYPES.indexOf(type);
  if (code < 0) throw new KafkaProtocolError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(type)}`);
  return code;
}

/** The compression type for Kafka's code; throws UNSUPPORTED_COMPRESSION_TYPE for 5..7 or garbage. */
export function compressionFromCode(code: number): CompressionType {
  const type = COMPRESSION_TYPES[code];
  if (type === undefined) throw new KafkaProtocolError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression code ${code}`);
  return type;
}

/** Compresses `bytes` as Kafka stores a compressed batch's records section. 'none' returns `bytes` itself. */
export async function compress(type: CompressionType, bytes: Uint8Array): Promise<Uint8Array> {
  switch (type) {
    case 'none':
      return bytes;
    case 'gzip':
      return transform(new CompressionStream('gzip'), bytes);
    case 'snappy':
      return xerialSnappyCompress(bytes);
    case 'lz4':
      return lz4FrameCompress(await loadLz4(), bytes);
    case 'zstd': {
      const zstd = await loadZstd();
      return zstd.compress(bytes, ZSTD_LEVEL);
    }
    default:
      throw new KafkaProtocolError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(type)}`);
  }
}

/** Inverse of compress. Throws (an Error from the codec or the framing) on malformed input. */
export async function decompress(type: CompressionType, bytes: Uint8Array): Promise<Uint8Array> {
  switch (type) {
    case 'none':
      return bytes;
    case 'gzip':
      return transform(new DecompressionStream('gzip'), bytes);
    case 'snappy':
      return xerialSnappyDecompress(bytes);
    case 'lz4':
      return lz4FrameDecompress(await loadLz4(), bytes);
    case 'zstd': {
      const fzstd = await loadFzstd();
      return fzstd.decompress(bytes);
    }
    default:
      throw new KafkaProtocolError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(type)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Pushes `bytes` through a (de)compression stream and collects the output. */
async function transform(stream: CompressionStream | DecompressionStream, bytes: Uint8Array): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // A copy into a plain ArrayBuffer: the stream may not accept views of shared or detached memory.
  const input = new Uint8Array(bytes.length);
  input.set(bytes);
  const writing = writer.write(input).then(() => writer.close());
  const reading = (async () => {
    const reader = stream.readable.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return concatBytes(chunks);
      chunks.push(value);
    }
  })();
  // Both are awaited together so a failure on either side never becomes an unhandled rejection.
  const [, out] = await Promise.all([writing, reading]);
  return out;
}

/** Resolves a dynamically imported CommonJS module whether the bundler gives its exports as named or `default`. */
function cjs<T extends object>(mod: T | { default: T }, probe: keyof T): T {
  return probe in mod ? (mod as T) : (mod as { default: T }).default;
}

// ---------------------------------------------------------------------------------------------
// snappy, xerial framing: magic 0x82 'SNAPPY' 0x00 | int32 version=1 | int32 compatible=1 |
// then [int32 compressedLength | raw snappy block]* (all big-endian).

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_SIZE = 16;
/** SnappyOutputStream's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function hasXerialMagic(bytes: Uint8Array, at: number): boolean {
  if (bytes.length - at < XERIAL_MAGIC.length) return false;
  return XERIAL_MAGIC.every((b, i) => bytes[at + i] === b);
}

function xerialSnappyCompress(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  const header = new Uint8Array(XERIAL_HEADER_SIZE);
  header.set(XERIAL_MAGIC, 0);
  const hv = new DataView(header.buffer);
  hv.setInt32(8, 1);
  hv.setInt32(12, 1);
  chunks.push(header);
  for (let at = 0; at < bytes.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappy.compress(bytes.subarray(at, Math.min(bytes.length, at + XERIAL_BLOCK_SIZE)));
    const len = new Uint8Array(4);
    new DataView(len.buffer).setInt32(0, block.length);
    chunks.push(len, block);
  }
  return concatBytes(chunks);
}

function xerialSnappyDecompress(bytes: Uint8Array): Uint8Array {
  if (!hasXerialMagic(bytes, 0)) return snappy.uncompress(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    // A header may start the stream and may recur where framed streams were concatenated.
    if (hasXerialMagic(bytes, at)) {
      if (bytes.length - at < XERIAL_HEADER_SIZE) throw new Error('snappy: truncated xerial header');
      at += XERIAL_HEADER_SIZE;
      continue;
    }
    if (bytes.length - at < 4) throw new Error('snappy: truncated xerial block length');
    const len = view.getInt32(at);
    at += 4;
    if (len < 0 || at + len > bytes.length) throw new Error(`snappy: bad xerial block length ${len}`);
    chunks.push(snappy.uncompress(bytes.subarray(at, at + len)));
    at += len;
  }
  return concatBytes(chunks);
}

// ---------------------------------------------------------------------------------------------
// lz4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), little-endian.

type Lz4Module = typeof import('lz4js');
type XxhModule = typeof import('lz4js/xxh32.js');
interface Lz4 {
  block: Lz4Module;
  xxh32: XxhModule['hash'];
}

let lz4Promise: Promise<Lz4> | undefined;
function loadLz4(): Promise<Lz4> {
  lz4Promise ??= Promise.all([import('lz4js'), import('lz4js/xxh32.js')]).then(([block, xxh]) => ({
    block: cjs<Lz4Module>(block, 'compressBlock'),
    xxh32: cjs<XxhModule>(xxh, 'hash').hash,
  }));
  return lz4Promise;
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
/** FLG: version 01, block independence set; no checksums, no content size, no dictionary. */
const LZ4_FLG = 0x60;
/** BD: block maximum size code 4 = 64 KiB (Kafka's default). */
const LZ4_BD = 0x40;
const LZ4_BLOCK_SIZE = 64 * 1024;
const LZ4_BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const LZ4_UNCOMPRESSED_BIT = 0x80000000;
/** Bytes kept from lz4js's block compressor so the last match starts >= 12 bytes before the end. */
const LZ4_HELD_BACK = 3;

function lz4FrameCompress({ block, xxh32 }: Lz4, bytes: Uint8Array): Uint8Array {
  const blocks = Math.ceil(bytes.length / LZ4_BLOCK_SIZE);
  // Worst case: every block stored raw, plus its 4-byte size; header 7 bytes, end mark 4 bytes.
  const out = new Uint8Array(7 + blocks * (4 + LZ4_BLOCK_SIZE) + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, LZ4_MAGIC, true);
  out[4] = LZ4_FLG;
  out[5] = LZ4_BD;
  out[6] = (xxh32(0, out, 4, 2) >>> 8) & 0xff;
  let o = 7;
  const scratch = new Uint8Array(block.compressBound(LZ4_BLOCK_SIZE) + 16);
  const table = new Uint32Array(1 << 16);
  for (let at = 0; at < bytes.length; at += LZ4_BLOCK_SIZE) {
    const size = Math.min(LZ4_BLOCK_SIZE, bytes.length - at);
    table.fill(0); // independent blocks: no match may reach into an earlier block
    // lz4js lets the last match start 10 bytes before the block's end, but the format requires 12
    // (MFLIMIT): reference decoders (lz4, lz4-java) reject such blocks when they nearly fill the
    // output. So the codec sees all but the last 3 bytes, which join the final literal run.
    const held = size > LZ4_HELD_BACK ? LZ4_HELD_BACK : 0;
    let compressed = block.compressBlock(bytes, scratch, at, size - held, table);
    if (compressed > 0 && held > 0) compressed = appendLiterals(scratch, compressed, bytes.subarray(at + size - held, at + size));
    if (compressed > 0 && compressed < size) {
      view.setUint32(o, compressed, true);
      out.set(scratch.subarray(0, compressed), o + 4);
      o += 4 + compressed;
    } else {
      view.setUint32(o, (LZ4_UNCOMPRESSED_BIT | size) >>> 0, true);
      out.set(bytes.subarray(at, at + size), o + 4);
      o += 4 + size;
    }
  }
  view.setUint32(o, 0, true); // EndMark
  return out.slice(0, o + 4);
}

/**
 * Extends the final literal run of the LZ4 block in `buf[0, len)` with `extra` bytes, in place;
 * returns the new length. (Every LZ4 block ends with a sequence of literals only.)
 */
function appendLiterals(buf: Uint8Array, len: number, extra: Uint8Array): number {
  let p = 0;
  let lastToken: number;
  let literals: number;
  for (;;) {
    lastToken = p;
    const token = buf[p++];
    literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        b = buf[p++];
        literals += b;
      } while (b === 255);
    }
    p += literals;
    if (p >= len) break;
    p += 2; // match offset
    if ((token & 15) === 15) while (buf[p++] === 255);
  }
  const old = buf.slice(len - literals, len);
  const total = literals + extra.length;
  let o = lastToken;
  buf[o++] = (total < 15 ? total : 15) << 4;
  if (total >= 15) {
    let rest = total - 15;
    for (; rest >= 255; rest -= 255) buf[o++] = 255;
    buf[o++] = rest;
  }
  buf.set(old, o);
  buf.set(extra, o + old.length);
  return o + total;
}

function lz4FrameDecompress({ block, xxh32 }: Lz4, bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > bytes.length) throw new Error('lz4: truncated frame');
  };
  const outputs: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    need(at, 4);
    const magic = view.getUint32(at, true);
    if (((magic & LZ4_SKIPPABLE_MASK) >>> 0) === LZ4_SKIPPABLE_MAGIC) {
      need(at, 8);
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== LZ4_MAGIC) throw new Error(`lz4: bad magic 0x${magic.toString(16)}`);
    need(at, 7);
    const flg = bytes[at + 4];
    const bd = bytes[at + 5];
    if (flg >> 6 !== 1) throw new Error(`lz4: unsupported frame version ${flg >> 6}`);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSizeFlag = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    const maxBlock = LZ4_BLOCK_SIZES[(bd >> 4) & 7];
    if (maxBlock === undefined) throw new Error(`lz4: bad block maximum size code ${(bd >> 4) & 7}`);
    const descriptorEnd = at + 6 + (contentSizeFlag ? 8 : 0) + (dictId ? 4 : 0);
    need(descriptorEnd, 1);
    const hc = (xxh32(0, bytes, at + 4, descriptorEnd - (at + 4)) >>> 8) & 0xff;
    if (hc !== bytes[descriptorEnd]) throw new Error('lz4: frame descriptor checksum mismatch');
    at = descriptorEnd + 1;
    // First pass: bound the output (blocks may refer back into earlier blocks, so decode into one buffer).
    let bound = 0;
    for (let p = at; ; ) {
      need(p, 4);
      const word = view.getUint32(p, true);
      p += 4;
      if (word === 0) break;
      const size = (word & ~LZ4_UNCOMPRESSED_BIT) >>> 0;
      if (size > maxBlock) throw new Error(`lz4: block of ${size} bytes exceeds the frame maximum ${maxBlock}`);
      need(p, size + (blockChecksum ? 4 : 0));
      bound += word & LZ4_UNCOMPRESSED_BIT ? size : maxBlock;
      p += size + (blockChecksum ? 4 : 0);
    }
    const out = new Uint8Array(bound);
    let o = 0;
    for (;;) {
      const word = view.getUint32(at, true);
      at += 4;
      if (word === 0) break;
      const size = (word & ~LZ4_UNCOMPRESSED_BIT) >>> 0;
      if (word & LZ4_UNCOMPRESSED_BIT) {
        out.set(bytes.subarray(at, at + size), o);
        o += size;
      } else {
        const before = o;
        o = block.decompressBlock(bytes, out, at, size, o);
        if (o > out.length || o - before > maxBlock) throw new Error('lz4: block decodes past its maximum size');
      }
      if (blockChecksum && view.getUint32(at + size, true) !== xxh32(0, bytes, at, size) >>> 0) {
        throw new Error('lz4: block checksum mismatch');
      }
      at += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) {
      need(at, 4);
      if (view.getUint32(at, true) !== xxh32(0, out, 0, o) >>> 0) throw new Error('lz4: content checksum mismatch');
      at += 4;
    }
    outputs.push(out.subarray(0, o));
  }
  return outputs.length === 1 ? outputs[0].slice() : concatBytes(outputs);
}

// ---------------------------------------------------------------------------------------------
// zstd

/** Kafka's default zstd level (CompressionType.ZSTD's default). */
const ZSTD_LEVEL = 3;

interface ZstdCompressor {
  compress(data: Uint8Array, level?: number): Uint8Array;
}
let zstdPromise: Promise<ZstdCompressor> | undefined;
function loadZstd(): Promise<ZstdCompressor> {
  zstdPromise ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load());
  return zstdPromise;
}

type FzstdModule = typeof import('fzstd');
let fzstdPromise: Promise<FzstdModule> | undefined;
function loadFzstd(): Promise<FzstdModule> {
  fzstdPromise ??= import('fzstd').then((m) => cjs<FzstdModule>(m, 'decompress'));
  return fzstdPromise;
}
