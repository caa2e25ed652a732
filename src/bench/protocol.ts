/**
 * Messages between the limits page (bench.html) and its bench workers. The workers measure what
 * this browser can do at best, with nothing of the playground in the way: IndexedDB writes and
 * commits, and MessageChannel round trips.
 */

export interface IdbWriteParams {
  dbName: string;
  /** Bytes of each stored value. */
  valueBytes: number;
  /** Values put in one readwrite transaction. */
  perTx: number;
  /** Measure for this long (after a short warm-up)... */
  durationMs: number;
  /** ...or until this many bytes are written, whichever comes first. */
  maxBytes: number;
}

export interface IdbWriteResult {
  values: number;
  bytes: number;
  transactions: number;
  elapsedMs: number;
}

export interface LatencyResult {
  n: number;
  /** Total elapsed / n: performance.now() is coarse (0.1 ms), so the mean is taken over the whole run. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

export type WorkerCommand =
  | { cmd: 'idb-write'; id: number; params: IdbWriteParams }
  | { cmd: 'idb-commit'; id: number; dbName: string; n: number; valueBytes: number }
  | { cmd: 'delete-db'; id: number; dbName: string }
  | { cmd: 'open-db'; id: number; dbName: string }
  /** A port to another worker (or to the page): whatever arrives on it is echoed back. */
  | { cmd: 'echo-port'; id: number; port: MessagePort }
  /** The port on which this worker pings (the other end echoes). */
  | { cmd: 'ping-port'; id: number; port: MessagePort }
  | { cmd: 'rtt'; id: number; n: number; bytes: number; transfer: boolean };

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/** What travels on a ping port: shaped like the playground's envelopes (from, to, message). */
export interface Ping { from: string; to: string; message: { seq: number; buf: ArrayBuffer | null } }
