/** Measuring helpers shared by the limits page and the bench worker. */
import type { IdbWriteParams, IdbWriteResult, LatencyResult, Ping } from './protocol';

export const STORE = 'v';

export function openDb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${name}`));
    request.onblocked = () => reject(new Error(`opening ${name} is blocked`));
  });
}

export function deleteDb(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** Incompressible bytes (Chromium may compress large IndexedDB values). */
export function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65_536)));
  return bytes;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export function latencyOf(samples: Float64Array, totalMs: number): LatencyResult {
  const sorted = Float64Array.from(samples).sort();
  return { n: samples.length, meanMs: totalMs / samples.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/**
 * One readwrite transaction of `perTx` values, resolved on `complete` (the value shape and the
 * [partition, offset] keys are those of the playground's log store).
 */
function writeTransaction(db: IDBDatabase, values: Uint8Array[], perTx: number, firstSeq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (let i = 0; i < perTx; i++) {
      const seq = firstSeq + i;
      store.put({ segmentBase: 0, bytes: values[seq % values.length] }, ['p', seq]);
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Sequential transactions (one committed before the next starts), as one partition's log writes. */
export async function idbWrite(params: IdbWriteParams): Promise<IdbWriteResult> {
  const db = await openDb(params.dbName);
  try {
    const values = Array.from({ length: 8 }, () => randomBytes(params.valueBytes));
    let seq = 0;
    for (let i = 0; i < 3; i++) {
      await writeTransaction(db, values, params.perTx, seq);
      seq += params.perTx;
    }
    const bytesPerTx = params.perTx * params.valueBytes;
    let transactions = 0;
    const start = performance.now();
    while (performance.now() - start < params.durationMs && transactions * bytesPerTx < params.maxBytes) {
      await writeTransaction(db, values, params.perTx, seq);
      seq += params.perTx;
      transactions++;
    }
    const elapsedMs = performance.now() - start;
    return { values: transactions * params.perTx, bytes: transactions * bytesPerTx, transactions, elapsedMs };
  } finally {
    db.close();
  }
}

/** Commit latency of one small transaction (one put), sequential. */
export async function idbCommit(dbName: string, n: number, valueBytes: number): Promise<LatencyResult> {
  const db = await openDb(dbName);
  try {
    const values = [randomBytes(valueBytes)];
    for (let i = 0; i < 20; i++) await writeTransaction(db, values, 1, i);
    const samples = new Float64Array(n);
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await writeTransaction(db, values, 1, 100 + i);
      samples[i] = performance.now() - t;
    }
    return latencyOf(samples, performance.now() - start);
  } finally {
    db.close();
  }
}

/** Answers every ping on `port` with the same message, handing a transferred buffer back. */
export function echoOn(port: MessagePort): void {
  port.onmessage = (event: MessageEvent<Ping>) => {
    const ping = event.data;
    const buf = ping.message.buf;
    port.postMessage({ from: ping.to, to: ping.from, message: ping.message }, buf && buf.byteLength > 0 ? [buf] : []);
  };
}

/**
 * Sequential round trips on `port` (the other end echoes): a small message when bytes = 0, else
 * a buffer of `bytes`, transferred both ways when `transfer` (cloned otherwise).
 */
export function roundTrips(port: MessagePort, n: number, bytes: number, transfer: boolean): Promise<LatencyResult> {
  const warmUp = 50;
  return new Promise((resolve) => {
    let buf: ArrayBuffer | null = bytes > 0 ? (randomBytes(bytes).buffer as ArrayBuffer) : null;
    const samples = new Float64Array(n);
    let i = -warmUp;
    let sentAt = 0;
    let start = 0;
    const send = () => {
      sentAt = performance.now();
      const ping: Ping = { from: 'a', to: 'b', message: { seq: i, buf } };
      port.postMessage(ping, transfer && buf ? [buf] : []);
    };
    port.onmessage = (event: MessageEvent<Ping>) => {
      const now = performance.now();
      if (i >= 0) samples[i] = now - sentAt;
      if (transfer) buf = event.data.message.buf;
      i++;
      if (i === 0) start = performance.now();
      if (i === n) {
        port.onmessage = null;
        resolve(latencyOf(samples, performance.now() - start));
        return;
      }
      send();
    };
    send();
  });
}
