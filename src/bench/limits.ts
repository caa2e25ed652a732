/**
 * The limits page (bench.html): what this browser can do at best on this machine, measured from
 * Workers as the playground's nodes run. `scripts/bench.mjs` calls `window.benchLimits.run()` and
 * sets the cluster's figures beside these.
 */
import { partitionForKey } from '../kafka/client/partitioner';
import { encodeBatch, type RecordInput } from '../kafka/storage/recordBatch';
import { deleteDb, roundTrips } from './measure';
import type { IdbWriteParams, IdbWriteResult, LatencyResult, WorkerCommand, WorkerReply } from './protocol';

type CommandBody = WorkerCommand extends infer C ? (C extends WorkerCommand ? Omit<C, 'id'> : never) : never;

class BenchWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(name: string) {
    this.worker = new Worker(new URL('./limits.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error));
    };
    this.worker.onerror = (event) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`worker error: ${event.message}`));
      this.pending.clear();
    };
  }

  call<T>(body: CommandBody, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id }, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}

export interface WriteLimit extends IdbWriteResult { valueBytes: number; perTx: number; mbPerSec: number; valuesPerSec: number }

export interface BatchShape {
  /** The bench producer's send: records per send, value bytes, keys key-(i % keySpace), partitions. */
  recordsPerSend: number; valueBytes: number; keySpace: number; partitions: number;
  /** Average bytes of one stored record batch (one partition's share of a send). */
  avgBatchBytes: number;
  avgRecordsPerBatch: number;
}

export interface LimitsResult {
  userAgent: string;
  hardwareConcurrency: number;
  batch: BatchShape | null;
  idb16k: WriteLimit | null;
  idbBatch16: WriteLimit | null;
  idbBatch1: WriteLimit | null;
  idb100: WriteLimit | null;
  /** Three Workers writing batch-sized values (16 per transaction) at once, each to its own database. */
  idbBatch16x3: { mbPerSec: number; perWorker: WriteLimit[] } | null;
  idbCommit: LatencyResult | null;
  mcSmall: LatencyResult | null;
  mcTransfer16k: LatencyResult | null;
  mcPageSmall: LatencyResult | null;
  workerStart: { workers: number; medianMs: number; samplesMs: number[] } | null;
  errors: string[];
}

export interface LimitsOptions {
  /** Duration of each IndexedDB throughput measurement. */
  writeMs?: number;
  recordsPerSend?: number;
  valueBytes?: number;
  keySpace?: number;
  partitions?: number;
}

const log = (line: string) => {
  const out = document.getElementById('log');
  if (out) out.textContent += `${line}\n`;
};

const MB = 1_000_000;

/** The bench producer's batches, encoded as the client encodes them: how big is one stored value? */
async function batchShape(recordsPerSend: number, valueBytes: number, keySpace: number, partitions: number): Promise<BatchShape> {
  const encoder = new TextEncoder();
  const value = encoder.encode('v'.repeat(valueBytes));
  const now = Date.now();
  let batches = 0;
  let bytes = 0;
  let records = 0;
  const sends = 30;
  for (let send = 0; send < sends; send++) {
    const byPartition = new Map<number, RecordInput[]>();
    for (let j = 0; j < recordsPerSend; j++) {
      const key = `key-${(send * recordsPerSend + j) % keySpace}`;
      const partition = partitionForKey(key, partitions);
      const list = byPartition.get(partition) ?? [];
      list.push({ key: encoder.encode(key), value, headers: [], timestamp: now });
      byPartition.set(partition, list);
    }
    for (const list of byPartition.values()) {
      bytes += (await encodeBatch({ records: list })).byteLength;
      records += list.length;
      batches++;
    }
  }
  return { recordsPerSend, valueBytes, keySpace, partitions, avgBatchBytes: Math.round(bytes / batches), avgRecordsPerBatch: records / batches };
}

let dbCounter = 0;
async function writeLimit(worker: BenchWorker, valueBytes: number, perTx: number, durationMs: number): Promise<WriteLimit> {
  const dbName = `bench-limits-${Date.now()}-${dbCounter++}`;
  const params: IdbWriteParams = { dbName, valueBytes, perTx, durationMs, maxBytes: 400 * MB };
  try {
    const result = await worker.call<IdbWriteResult>({ cmd: 'idb-write', params });
    return { ...result, valueBytes, perTx, mbPerSec: result.bytes / MB / (result.elapsedMs / 1000), valuesPerSec: result.values / (result.elapsedMs / 1000) };
  } finally {
    await deleteDb(dbName);
  }
}

async function attempt<T>(what: string, errors: string[], fn: () => Promise<T>): Promise<T | null> {
  log(`${what}...`);
  try {
    const result = await fn();
    log(`${what}: ${JSON.stringify(result)}`);
    return result;
  } catch (error) {
    const message = `${what}: ${String((error as Error)?.message ?? error)}`;
    errors.push(message);
    log(`FAILED ${message}`);
    return null;
  }
}

export async function runLimits(options: LimitsOptions = {}): Promise<LimitsResult> {
  const writeMs = options.writeMs ?? 1500;
  const recordsPerSend = options.recordsPerSend ?? 100;
  const valueBytes = options.valueBytes ?? 100;
  const errors: string[] = [];
  const workers = [new BenchWorker('bench-a'), new BenchWorker('bench-b'), new BenchWorker('bench-c')];
  const [a, b] = workers;
  try {
    const batch = await attempt('batch shape', errors, () => batchShape(recordsPerSend, valueBytes, options.keySpace ?? 1000, options.partitions ?? 3));
    const batchBytes = batch?.avgBatchBytes ?? 4000;

    const idb16k = await attempt('IndexedDB 16 KiB x 16/tx', errors, () => writeLimit(a, 16_384, 16, writeMs));
    const idbBatch16 = await attempt(`IndexedDB ${batchBytes} B x 16/tx`, errors, () => writeLimit(a, batchBytes, 16, writeMs));
    const idbBatch1 = await attempt(`IndexedDB ${batchBytes} B x 1/tx`, errors, () => writeLimit(a, batchBytes, 1, writeMs));
    const idb100 = await attempt('IndexedDB 100 B x 100/tx', errors, () => writeLimit(a, 100, 100, writeMs));
    const idbBatch16x3 = await attempt(`IndexedDB ${batchBytes} B x 16/tx, 3 workers at once`, errors, async () => {
      const perWorker = await Promise.all(workers.map((w) => writeLimit(w, batchBytes, 16, writeMs)));
      const seconds = Math.max(...perWorker.map((r) => r.elapsedMs)) / 1000;
      return { mbPerSec: perWorker.reduce((sum, r) => sum + r.bytes, 0) / MB / seconds, perWorker };
    });
    const idbCommit = await attempt('IndexedDB small transaction commit', errors, async () => {
      const dbName = `bench-commit-${Date.now()}`;
      try {
        return await a.call<LatencyResult>({ cmd: 'idb-commit', dbName, n: 500, valueBytes: 100 });
      } finally {
        await deleteDb(dbName);
      }
    });

    // Worker A pings, worker B echoes, over a MessageChannel between them (as two nodes are wired).
    const channel = new MessageChannel();
    await b.call({ cmd: 'echo-port', port: channel.port2 }, [channel.port2]);
    await a.call({ cmd: 'ping-port', port: channel.port1 }, [channel.port1]);
    const mcSmall = await attempt('MessageChannel round trip, small message', errors, () => a.call<LatencyResult>({ cmd: 'rtt', n: 3000, bytes: 0, transfer: false }));
    const mcTransfer16k = await attempt('MessageChannel round trip, 16 KiB transferred', errors, () => a.call<LatencyResult>({ cmd: 'rtt', n: 3000, bytes: 16_384, transfer: true }));
    const mcPageSmall = await attempt('MessageChannel round trip page <-> worker, small message', errors, async () => {
      const page = new MessageChannel();
      await b.call({ cmd: 'echo-port', port: page.port2 }, [page.port2]);
      return roundTrips(page.port1, 3000, 0, false);
    });

    // As a cluster of 3 brokers and 1 controller starts: 4 Workers, each opening its database.
    const workerStart = await attempt('4 Workers start and open IndexedDB', errors, async () => {
      const samplesMs: number[] = [];
      for (let round = 0; round < 3; round++) {
        const names = Array.from({ length: 4 }, (_, i) => `bench-start-${Date.now()}-${round}-${i}`);
        const start = performance.now();
        const fresh = names.map((name) => new BenchWorker(name));
        await Promise.all(fresh.map((w, i) => w.call({ cmd: 'open-db', dbName: names[i] })));
        samplesMs.push(performance.now() - start);
        for (const w of fresh) w.terminate();
        await Promise.all(names.map(deleteDb));
      }
      return { workers: 4, medianMs: [...samplesMs].sort((x, y) => x - y)[1], samplesMs };
    });

    return {
      userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, batch,
      idb16k, idbBatch16, idbBatch1, idb100, idbBatch16x3, idbCommit, mcSmall, mcTransfer16k, mcPageSmall, workerStart, errors,
    };
  } finally {
    for (const w of workers) w.terminate();
  }
}

declare global {
  interface Window { benchLimits: { run: (options?: LimitsOptions) => Promise<LimitsResult> } }
}

window.benchLimits = { run: runLimits };
// Opened by hand (not by scripts/bench.mjs): run at once and show the result.
if (new URLSearchParams(location.search).has('run')) {
  void runLimits().then((result) => log(JSON.stringify(result, null, 2)));
}
