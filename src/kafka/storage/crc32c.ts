/**
 * CRC-32C (Castagnoli), as Kafka's record batch v2 uses for its `crc` field.
 * Reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.
 * Table-driven, slicing-by-8: eight 256-entry tables let the main loop fold 8 bytes per step.
 */

const POLY = 0x82f63b78;

/** TABLES[k][b] = CRC of byte b followed by k zero bytes (the classic slicing-by-8 layout). */
const TABLES: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1];
    const next = new Uint32Array(256);
    for (let i = 0; i < 256; i++) next[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff];
    tables.push(next);
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

/**
 * CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number.
 * Throws RangeError when the range does not lie inside `bytes`.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > bytes.length || start > end) {
    throw new RangeError(`crc32c: bad range [${start}, ${end}) for ${bytes.length} bytes`);
  }
  let crc = 0xffffffff;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      T7[a & 0xff] ^
      T6[(a >>> 8) & 0xff] ^
      T5[(a >>> 16) & 0xff] ^
      T4[a >>> 24] ^
      T3[bytes[i + 4]] ^
      T2[bytes[i + 5]] ^
      T1[bytes[i + 6]] ^
      T0[bytes[i + 7]];
    i += 8;
  }
  while (i < end) {
    crc = (crc >>> 8) ^ T0[(crc ^ bytes[i]) & 0xff];
    i++;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
