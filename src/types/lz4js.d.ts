// Minimal types for the `lz4js` package (pure JS LZ4): the block codec and its xxHash32.
declare module 'lz4js' {
  /** Worst-case compressed size of `n` bytes. */
  export function compressBound(n: number): number;
  /**
   * Compresses src[sIndex, sIndex + sLength) as one LZ4 block into dst (from 0); returns the
   * compressed size, or 0 when nothing matched and the block is better stored uncompressed.
   * `hashTable` is a 65536-entry table, zeroed for a block that must not reference earlier data.
   */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  /** Decompresses src[sIndex, sIndex + sLength) into dst at dIndex; returns the new dIndex. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}

declare module 'lz4js/xxh32.js' {
  /** xxHash32 of src[index, index + len). */
  export function hash(seed: number, src: Uint8Array, index: number, len: number): number;
}
