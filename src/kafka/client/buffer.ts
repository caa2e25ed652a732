/**
 * Bytes as KafkaJS code expects them. KafkaJS hands out Node Buffers, and pasted code calls
 * `message.value.toString()` or `JSON.parse(message.value)`; a browser has no Buffer, so keys,
 * values and header values arrive as KafkaBuffer: a Uint8Array whose toString() decodes UTF-8
 * (as Buffer's does) and whose toJSON() is Buffer's `{ type: 'Buffer', data }`.
 */
import { KafkaJSNonRetriableError } from './errors';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class KafkaBuffer extends Uint8Array {
  /** As Buffer#toString: 'utf8' (default), 'hex', 'base64', 'latin1'/'binary', 'ascii'. */
  override toString(encoding = 'utf8', start = 0, end = this.length): string {
    const bytes = this.subarray(start, end);
    switch (encoding.toLowerCase()) {
      case 'utf8':
      case 'utf-8':
        return utf8Decoder.decode(bytes);
      case 'hex':
        return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      case 'base64':
        return toBase64(bytes);
      case 'latin1':
      case 'binary':
        return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
      case 'ascii':
        return Array.from(bytes, (b) => String.fromCharCode(b & 0x7f)).join('');
      default:
        throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  toJSON(): { type: 'Buffer'; data: number[] } {
    return { type: 'Buffer', data: Array.from(this) };
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (other[i] !== this[i]) return false;
    return true;
  }
}

/** Wraps bytes (without copying) as a KafkaBuffer; null stays null. */
export function toKafkaBuffer(bytes: Uint8Array): KafkaBuffer;
export function toKafkaBuffer(bytes: Uint8Array | null): KafkaBuffer | null;
export function toKafkaBuffer(bytes: Uint8Array | null): KafkaBuffer | null {
  if (bytes === null) return null;
  if (bytes instanceof KafkaBuffer) return bytes;
  return new KafkaBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A key, value or header value as bytes: strings are UTF-8, Uint8Arrays (and so Buffers) are
 * taken as they are, null/undefined is null. Anything else is rejected as KafkaJS does.
 */
export function toBytes(value: unknown, what: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return utf8Encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new KafkaJSNonRetriableError(
    `Invalid ${what}: expected a string, Buffer, Uint8Array or null, got ${typeof value}${typeof value === 'object' ? ' (use JSON.stringify for objects)' : ''}`,
  );
}

export const utf8Bytes = (s: string): Uint8Array => utf8Encoder.encode(s);

function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63] : '=';
  }
  return out;
}
