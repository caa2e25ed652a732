#!/usr/bin/env node
// `npm run bench`: measures the playground's speed in a real Chromium and sets every figure beside
// the LIMIT measured in the same run on the same machine (bench.html: IndexedDB and MessageChannel
// from Workers). Prints a table and writes bench-results/latest.json. Never asserts timings.
//
// Runs against the BUILT site (`vite build --base=./` first), served by `vite preview`, in a
// persistent Chromium profile: IndexedDB on disk, as a user's browser has it (an incognito
// context keeps IndexedDB in memory and is about twice as fast).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Not 4190: that port is on the Fetch standard's list of bad ports, which Chromium (ERR_UNSAFE_PORT)
// and Node's fetch refuse to connect to.
const PORT = 4191;
const ORIGIN = `http://localhost:${PORT}`;
const num = (name, fallback) => (Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback);

const CONFIG = {
  produceMs: num('BENCH_PRODUCE_MS', 10_000),
  inFlight: num('BENCH_IN_FLIGHT', 8),
  recordsPerSend: 100,
  valueBytes: 100,
  keySpace: 1000,
  partitions: 3,
  replicationFactor: 3,
  latencySends: num('BENCH_LATENCY_SENDS', 300),
  limitWriteMs: num('BENCH_LIMIT_WRITE_MS', 1500),
};
const TOPIC = 'bench-tput';
const LATENCY_TOPIC = 'bench-lat';
const MB = 1_000_000;

// ---- Functions that run in the page ------------------------------------------------------------
// Each is self-contained: installed into the page as window.__bench by their source text.

/** Records when window.playground.ready resolves, in ms since navigation start (an init script). */
function readyHook() {
  let value;
  Object.defineProperty(window, 'playground', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v) => {
      value = v;
      // When every broker is RUNNING and unfenced with an active controller (the playground's own
      // "serving" test), which comes before `ready` on a first visit (ready also waits for the demo).
      const poll = setInterval(() => {
        try {
          const described = v.cluster.describe();
          const live = described.brokers.filter((b) => b.alive);
          if (live.length > 0 && live.every((b) => b.state === 'RUNNING' && !b.fenced) && described.activeController !== null) {
            window.__benchServingAt = performance.now();
            clearInterval(poll);
          }
        } catch {
          // not started yet
        }
      }, 10);
      v.ready.then(
        () => { window.__benchReadyAt = performance.now(); },
        (error) => { window.__benchReadyError = String(error?.message ?? error); },
      );
    },
  });
}

const pageHelpers = {
  sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  },

  /** Creates the topics, waits for every partition to have a leader, then (up to fullIsrMs) for a full ISR. */
  async createTopics({ topics, partitions, replicationFactor, timeoutMs, fullIsrMs }) {
    const admin = window.playground.kafka({ clientId: 'bench-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })) });
    await admin.disconnect();
    const described = () => window.playground.cluster.describe().topics.filter((t) => topics.includes(t.name));
    const all = (predicate) => {
      const found = described();
      return found.length === topics.length && found.every((t) => t.partitions.length === partitions && t.partitions.every(predicate));
    };
    const start = performance.now();
    while (!all((p) => p.leader >= 0)) {
      if (performance.now() - start > timeoutMs) throw new Error(`topics have no leaders after ${timeoutMs} ms: ${JSON.stringify(described())}`);
      await window.__bench.sleep(20);
    }
    const leadersMs = performance.now() - start;
    const isrStart = performance.now();
    while (!all((p) => p.isr.length === replicationFactor) && performance.now() - isrStart < fullIsrMs) await window.__bench.sleep(20);
    return { leadersMs, isrSizes: described().flatMap((t) => t.partitions.map((p) => p.isr.length)) };
  },

  /**
   * Until the high watermark reached the log end offset and every ISR member has the leader's log
   * end offset. Replicas outside the ISR are not waited for (they may not replicate at all).
   */
  async waitReplicated({ topic, timeoutMs }) {
    const start = performance.now();
    for (;;) {
      const state = window.playground.store.getState();
      const described = window.playground.cluster.describe().topics.find((t) => t.name === topic);
      let done = !!described;
      for (const p of described?.partitions ?? []) {
        if (p.highWatermark !== p.logEndOffset) done = false;
        for (const replica of p.isr) {
          if (state.replicas[`broker-${replica}/${topic}-${p.partition}`]?.logEndOffset !== p.logEndOffset) done = false;
        }
      }
      if (done) return { catchUpMs: performance.now() - start, isrSizes: described.partitions.map((p) => p.isr.length) };
      if (performance.now() - start > timeoutMs) throw new Error(`replicas of ${topic} not caught up after ${timeoutMs} ms`);
      await window.__bench.sleep(20);
    }
  },

  /** One producer, `inFlight` sends outstanding, each of `recordsPerSend` keyed records, for `durationMs`. */
  async produce({ topic, acks, durationMs, inFlight, recordsPerSend, valueBytes, keySpace }) {
    const producer = window.playground.kafka({ clientId: `bench-producer-acks${acks}` }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const pool = Array.from({ length: 512 }, () => {
      let s = '';
      for (let i = 0; i < valueBytes; i++) s += alphabet[Math.floor(Math.random() * 64)];
      return s;
    });
    let n = 0;
    const nextMessages = () => Array.from({ length: recordsPerSend }, () => {
      const i = n++;
      return { key: `key-${i % keySpace}`, value: pool[i % pool.length] };
    });
    await producer.send({ topic, acks, messages: nextMessages() }); // warm-up: metadata, leaders
    let records = 0;
    let sends = 0;
    let errors = 0;
    let firstError = null;
    let sendTimeMs = 0;
    const start = performance.now();
    const end = start + durationMs;
    const lane = async () => {
      while (performance.now() < end) {
        const messages = nextMessages();
        const t = performance.now();
        try {
          await producer.send({ topic, acks, messages });
          records += messages.length;
          sends++;
          sendTimeMs += performance.now() - t;
        } catch (error) {
          errors++;
          firstError ??= String(error?.message ?? error);
          await window.__bench.sleep(10);
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    const elapsedMs = performance.now() - start;
    await producer.disconnect();
    const { catchUpMs, isrSizes } = await window.__bench.waitReplicated({ topic, timeoutMs: 120_000 });
    return { acks, records, sends, errors, firstError, elapsedMs, meanSendMs: sends ? sendTimeMs / sends : null, catchUpMs, isrSizes };
  },

  /** Sequential sends of one small record, acks=1. */
  async latency({ topic, n, valueBytes }) {
    const producer = window.playground.kafka({ clientId: 'bench-latency' }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const value = 'x'.repeat(valueBytes);
    for (let i = 0; i < 20; i++) await producer.send({ topic, acks: 1, messages: [{ key: `k${i % 10}`, value }] });
    const samples = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await producer.send({ topic, acks: 1, messages: [{ key: `k${i % 10}`, value }] });
      samples.push(performance.now() - t);
    }
    const totalMs = performance.now() - start;
    await producer.disconnect();
    return { n, totalMs, samples };
  },

  /** A consumer reading `topic` from the beginning until it has seen `expected` records. */
  async consume({ topic, expected, timeoutMs }) {
    const consumer = window.playground.kafka({ clientId: 'bench-consumer' }).consumer({ groupId: `bench-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    let bytes = 0;
    let firstAt = null;
    let resolveDone;
    const done = new Promise((resolve) => { resolveDone = resolve; });
    const start = performance.now();
    await consumer.run({
      eachMessage: async ({ message }) => {
        firstAt ??= performance.now();
        bytes += (message.value?.length ?? 0) + (message.key?.length ?? 0);
        if (++count >= expected) resolveDone();
      },
    });
    const timedOut = await Promise.race([done.then(() => false), window.__bench.sleep(timeoutMs).then(() => true)]);
    const endAt = performance.now();
    await consumer.disconnect().catch(() => undefined);
    return { expected, count, bytes, timedOut, elapsedMs: endAt - start, firstMs: firstAt === null ? null : firstAt - start };
  },

  /**
   * killBroker then restartBroker (at once, or once the controller fenced it), until describe()
   * shows it alive, RUNNING and unfenced. Log recovery is read from the node's own events.
   */
  async restart({ id, waitFenced, timeoutMs }) {
    const pg = window.playground;
    const address = `broker-${id}`;
    const broker = () => pg.cluster.describe().brokers.find((b) => b.id === id);
    const before = new Set(pg.store.getState().recent.filter((e) => e.node === address));
    let spawned = null;
    let started = null;
    const scan = (state) => {
      for (const event of state.recent) {
        if (event.node !== address || before.has(event)) continue;
        if (event.type === 'node-spawned') spawned ??= event;
        if (event.type === 'node-started') started ??= event;
      }
    };
    const unsubscribe = pg.store.subscribe(scan);
    try {
      const deadline = performance.now() + timeoutMs;
      const waitFor = async (what, predicate) => {
        while (!predicate()) {
          if (performance.now() > deadline) throw new Error(`broker ${id}: not ${what} after ${timeoutMs} ms: ${JSON.stringify(broker())}`);
          await window.__bench.sleep(10);
        }
      };
      const killedAt = performance.now();
      pg.cluster.killBroker(id);
      await waitFor('dead', () => broker()?.alive === false);
      let fencedAfterMs = null;
      if (waitFenced) {
        await waitFor('fenced', () => broker()?.fenced === true);
        fencedAfterMs = performance.now() - killedAt;
        for (const event of pg.store.getState().recent) if (event.node === address) before.add(event);
      }
      const start = performance.now();
      await pg.cluster.restartBroker(id);
      const workerStartedMs = performance.now() - start;
      await waitFor('RUNNING', () => {
        const b = broker();
        return b?.alive === true && b.state === 'RUNNING' && !b.fenced;
      });
      const runningMs = performance.now() - start;
      scan(pg.store.getState());
      return {
        id, waitFenced, fencedAfterMs, workerStartedMs, runningMs,
        recoveryMs: spawned && started ? started.time - spawned.time : null,
        recovered: started?.recovered ?? null,
      };
    } finally {
      unsubscribe();
    }
  },

  /**
   * The stored record batches of `topic`, read from every broker's database: per partition, the
   * leader's copy (bytes and batches) and how many brokers hold a copy of its records.
   */
  async storedBatches({ topic, cluster }) {
    const described = window.playground.cluster.describe();
    const partitions = described.topics.find((t) => t.name === topic)?.partitions ?? [];
    const perBroker = {};
    for (const broker of described.brokers) {
      const name = `kafka-playground:${cluster}:broker-${broker.id}`;
      if (!(await indexedDB.databases()).some((d) => d.name === name)) continue;
      const request = indexedDB.open(name);
      const db = await new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        if (!db.objectStoreNames.contains('batches')) continue;
        const store = db.transaction('batches', 'readonly').objectStore('batches');
        const counts = {};
        for (const p of partitions) {
          const name = `${topic}-${p.partition}`;
          counts[p.partition] = await new Promise((resolve, reject) => {
            let batches = 0;
            let bytes = 0;
            const cursor = store.openCursor(IDBKeyRange.bound([name, -Infinity], [name, Infinity]));
            cursor.onsuccess = () => {
              const c = cursor.result;
              if (!c) return resolve({ batches, bytes });
              batches++;
              bytes += c.value.bytes.byteLength;
              c.continue();
            };
            cursor.onerror = () => reject(cursor.error);
          });
        }
        perBroker[broker.id] = counts;
      } finally {
        db.close();
      }
    }
    let batches = 0;
    let bytes = 0;
    let records = 0;
    const copies = [];
    for (const p of partitions) {
      const leaderCopy = perBroker[p.leader]?.[p.partition];
      if (leaderCopy) {
        batches += leaderCopy.batches;
        bytes += leaderCopy.bytes;
        records += p.logEndOffset - p.logStartOffset;
      }
      copies.push(Object.values(perBroker).filter((counts) => counts[p.partition]?.bytes > 0).length);
    }
    return { batches, bytes, records, copies, perBroker };
  },
};

// ---- Serving, browser, cleanup -----------------------------------------------------------------

let server = null;
let context = null;
let profileDir = null;

function startServer() {
  const child = spawn('npx', ['vite', 'preview', '--base=./', '--port', String(PORT), '--strictPort'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return { child, output: () => output };
}

async function waitForServer(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`vite preview exited (${server.child.exitCode}):\n${server.output()}`);
    try {
      const response = await fetch(`${ORIGIN}/bench.html`);
      if (response.ok) return;
    } catch (error) {
      if (process.env.BENCH_DEBUG) console.error(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`vite preview did not answer on ${ORIGIN} within ${timeoutMs} ms:\n${server.output()}`);
}

/** Stops the vite preview we started: its whole process group (npx and the vite under it). */
async function stopServer() {
  const child = server?.child;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

function removeProfile() {
  if (!profileDir) return;
  try {
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    console.error(`could not remove ${profileDir}: ${error.message}`);
  }
  profileDir = null;
}

async function cleanup() {
  await context?.close().catch(() => undefined);
  context = null;
  await stopServer();
  removeProfile();
}

// Last resort when the process ends some other way (an uncaught error, a closed stdout): no async
// work is possible here, so kill the server's process group and remove the profile synchronously.
process.on('exit', () => {
  if (server?.child.exitCode === null) {
    try {
      process.kill(-server.child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  removeProfile();
});
process.stdout.on('error', () => undefined); // e.g. piped into `head`

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms); }),
  ]);
}

// ---- The run ------------------------------------------------------------------------------------

const results = { startedAt: new Date().toISOString(), config: CONFIG, machine: {}, limits: null, cluster: {}, errors: [] };
const pageProblems = [];

async function phase(name, fn, timeoutMs = 120_000) {
  process.stderr.write(`  ${name}... `);
  const t = Date.now();
  try {
    const value = await withTimeout(fn(), timeoutMs, name);
    process.stderr.write(`${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    return value;
  } catch (error) {
    const message = `${name}: ${String(error?.message ?? error).split('\n')[0]}`;
    process.stderr.write('FAILED\n');
    console.error(`    ${message}`);
    results.errors.push(message);
    return null;
  }
}

/** Heap of the page's main thread and of every Worker, by CDP (Runtime.getHeapUsage). */
async function heaps(page) {
  const cdp = await context.newCDPSession(page);
  try {
    const main = await cdp.send('Runtime.getHeapUsage');
    const attached = [];
    cdp.on('Target.attachedToTarget', (event) => attached.push(event));
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const workers = [];
    let nextId = 1;
    for (const { sessionId, targetInfo } of attached.filter((a) => a.targetInfo.type === 'worker')) {
      const id = nextId++;
      const reply = new Promise((resolve) => {
        const onMessage = (event) => {
          if (event.sessionId !== sessionId) return;
          const message = JSON.parse(event.message);
          if (message.id !== id) return;
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(message.result ?? null);
        };
        cdp.on('Target.receivedMessageFromTarget', onMessage);
      });
      await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
      const usage = await Promise.race([reply, new Promise((resolve) => setTimeout(() => resolve(null), 2000))]);
      workers.push({ name: targetInfo.title || targetInfo.url, usedSize: usage?.usedSize ?? null, totalSize: usage?.totalSize ?? null });
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
    await cdp.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false }).catch(() => undefined);
    const performanceMemory = await page.evaluate(() => (performance.memory
      ? { usedJSHeapSize: performance.memory.usedJSHeapSize, totalJSHeapSize: performance.memory.totalJSHeapSize } : null));
    return { main: { usedSize: main.usedSize, totalSize: main.totalSize }, performanceMemory, workers: workers.sort((a, b) => a.name.localeCompare(b.name)) };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * CPU time by process type (SystemInfo.getProcessInfo: the renderer runs the page and all its
 * Workers as threads; IndexedDB runs in the browser or storage process) and the page main
 * thread's busy time (Performance.getMetrics TaskDuration), to tell what a phase is bound by.
 */
async function cpuProbe(page) {
  const browserSession = await context.browser()?.newBrowserCDPSession();
  const pageSession = await context.newCDPSession(page);
  await pageSession.send('Performance.enable');
  const snapshot = async () => {
    const processes = {};
    if (browserSession) {
      for (const p of (await browserSession.send('SystemInfo.getProcessInfo')).processInfo) processes[p.type] = (processes[p.type] ?? 0) + p.cpuTime;
    }
    const metrics = Object.fromEntries((await pageSession.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    return { at: performance.now(), processes, metrics };
  };
  return {
    /** Runs fn and returns its value with the CPU it cost, in cores (CPU seconds per wall second). */
    async measure(fn) {
      const before = await snapshot().catch(() => null);
      const value = await fn();
      const after = await snapshot().catch(() => null);
      if (!value || !before || !after) return value;
      const seconds = (after.at - before.at) / 1000;
      const processes = Object.fromEntries(Object.keys(after.processes)
        .map((type) => [type, (after.processes[type] - (before.processes[type] ?? 0)) / seconds])
        .filter(([, cores]) => cores >= 0.005));
      const total = Object.values(processes).reduce((sum, cores) => sum + cores, 0);
      // Share of wall time the page's main thread spent on each kind of work (Chromium's names).
      const mainThread = Object.fromEntries(Object.keys(after.metrics).filter((name) => name.endsWith('Duration'))
        .map((name) => [name.replace(/Duration$/, ''), (after.metrics[name] - (before.metrics[name] ?? 0)) / seconds]));
      return { ...value, cpu: { seconds, totalCores: total, processes, mainThread } };
    },
    async close() {
      await pageSession.detach().catch(() => undefined);
      await browserSession?.detach().catch(() => undefined);
    },
  };
}

async function runLimits(page) {
  await page.goto(`${ORIGIN}/bench.html`);
  await page.waitForFunction(() => window.benchLimits !== undefined, null, { timeout: 30_000 });
  const options = {
    writeMs: CONFIG.limitWriteMs, recordsPerSend: CONFIG.recordsPerSend, valueBytes: CONFIG.valueBytes,
    keySpace: CONFIG.keySpace, partitions: CONFIG.partitions,
  };
  const limits = await page.evaluate((o) => window.benchLimits.run(o), options);
  for (const error of limits.errors) results.errors.push(`limits: ${error}`);
  return limits;
}

async function runCluster(page) {
  const cluster = results.cluster;
  await page.addInitScript(readyHook);
  // The helpers are method definitions: their source text is valid inside an object literal.
  const install = `window.__bench = {\n${Object.values(pageHelpers).map((fn) => fn.toString()).join(',\n')}\n};`;

  cluster.start = await phase('page load -> ready (first visit, with the demo)', async () => {
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => window.__benchReadyAt !== undefined || window.__benchReadyError !== undefined, null, { timeout: 90_000, polling: 50 });
    const { readyAt, servingAt, error } = await page.evaluate(() => ({ readyAt: window.__benchReadyAt, servingAt: window.__benchServingAt, error: window.__benchReadyError }));
    if (error) throw new Error(`ready rejected: ${error}`);
    return { readyMs: readyAt, servingMs: servingAt ?? null };
  }, 100_000);
  if (!cluster.start) {
    // Without a running page nothing else can run.
    return;
  }
  await page.evaluate(install);

  cluster.reset = await phase('cluster.reset({ demo: false }) -> serving', () => page.evaluate(async () => {
    const start = performance.now();
    await window.playground.cluster.reset({ demo: false });
    return { resetMs: performance.now() - start };
  }));

  const topicsOk = await phase('create topics', () => page.evaluate((args) => window.__bench.createTopics(args), {
    topics: [TOPIC, LATENCY_TOPIC], partitions: CONFIG.partitions, replicationFactor: CONFIG.replicationFactor, timeoutMs: 30_000, fullIsrMs: 5_000,
  }));
  cluster.topics = topicsOk;
  if (!topicsOk) return;

  const latency = await phase(`produce latency (quiet cluster), ${CONFIG.latencySends} sequential sends of 1 record, acks=1`,
    () => page.evaluate((args) => window.__bench.latency(args), { topic: LATENCY_TOPIC, n: CONFIG.latencySends, valueBytes: CONFIG.valueBytes }));
  if (latency) {
    const sorted = [...latency.samples].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
    cluster.latency = { n: latency.n, meanMs: latency.totalMs / latency.n, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: sorted.at(-1) };
  }

  const produceArgs = {
    topic: TOPIC, durationMs: CONFIG.produceMs, inFlight: CONFIG.inFlight,
    recordsPerSend: CONFIG.recordsPerSend, valueBytes: CONFIG.valueBytes, keySpace: CONFIG.keySpace,
  };
  const cpu = await cpuProbe(page).catch((error) => {
    results.errors.push(`cpu probe: ${error.message}`);
    return { measure: (fn) => fn(), close: async () => undefined };
  });
  cluster.produceWarmUp = await phase('produce warm-up, 2 s (not reported)',
    () => page.evaluate((args) => window.__bench.produce(args), { ...produceArgs, durationMs: 2000, acks: 1 }), 150_000);
  cluster.produceAcks1 = await phase(`produce acks=1 for ${CONFIG.produceMs / 1000} s, ${CONFIG.inFlight} sends in flight`,
    () => cpu.measure(() => page.evaluate((args) => window.__bench.produce(args), { ...produceArgs, acks: 1 })), CONFIG.produceMs + 150_000);
  cluster.produceAcksAll = await phase(`produce acks=-1 for ${CONFIG.produceMs / 1000} s, ${CONFIG.inFlight} sends in flight`,
    () => cpu.measure(() => page.evaluate((args) => window.__bench.produce(args), { ...produceArgs, acks: -1 })), CONFIG.produceMs + 150_000);

  cluster.heap = await phase('JS heap after produce', () => heaps(page), 30_000);
  cluster.stored = await phase('stored batches', () => page.evaluate((args) => window.__bench.storedBatches(args), { topic: TOPIC, cluster: 'default' }));

  const expected = await page.evaluate((topic) => window.playground.cluster.describe().topics
    .find((t) => t.name === topic)?.partitions.reduce((sum, p) => sum + p.highWatermark - p.logStartOffset, 0) ?? 0, TOPIC).catch(() => 0);
  cluster.consume = await phase(`consume ${expected.toLocaleString('en-US')} records fromBeginning`,
    () => cpu.measure(() => page.evaluate((args) => window.__bench.consume(args), { topic: TOPIC, expected, timeoutMs: 90_000 })), 120_000);
  await cpu.close();

  cluster.restartAtOnce = await phase('kill broker 2, restart it at once -> RUNNING',
    () => page.evaluate((args) => window.__bench.restart(args), { id: 2, waitFenced: false, timeoutMs: 60_000 }), 90_000);
  cluster.restartAfterFence = await phase('kill broker 3, restart it once fenced -> RUNNING',
    () => page.evaluate((args) => window.__bench.restart(args), { id: 3, waitFenced: true, timeoutMs: 60_000 }), 90_000);
  cluster.recentErrors = await page.evaluate(() => window.playground.cluster.describe && [...(window.playground.store.getState().recent ?? [])]
    .filter((e) => e.type === 'log' && e.level === 'error').slice(-5).map((e) => e.message)).catch(() => []);
}

// ---- Frames: the UI while the cluster works ----------------------------------------------------

/** In the page: requestAnimationFrame intervals and long tasks (>50 ms on the main thread) for `ms`. */
async function measureFrames(ms) {
  const intervals = [];
  const longTasks = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
  try { observer.observe({ type: 'longtask', buffered: false }); } catch { /* not supported */ }
  const start = performance.now();
  await new Promise((resolve) => {
    let last = performance.now();
    const tick = (now) => {
      intervals.push(now - last);
      last = now;
      if (now - start < ms) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  const elapsed = performance.now() - start;
  const sorted = [...intervals].sort((a, b) => a - b);
  const inFlight = window.playground?.store?.getState?.().inFlight;
  return {
    elapsedMs: elapsed, frames: intervals.length, fps: intervals.length / (elapsed / 1000),
    p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0, maxFrameMs: sorted.at(-1) ?? 0,
    longTasks: longTasks.length, longTaskMs: longTasks.reduce((a, b) => a + b, 0),
    inFlight: inFlight ? Object.keys(inFlight).length : null,
  };
}

async function runFrames(page) {
  const frames = {};
  results.frames = frames;
  // The limit: the same browser's frame rate on a page that does nothing (bench.html, no cluster).
  frames.idle = await phase('frames: an idle page, 5 s', async () => {
    await page.goto(`${ORIGIN}/bench.html`);
    return page.evaluate(`(${measureFrames.toString()})(5000)`);
  }, 60_000);
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => window.playground !== undefined, null, { timeout: 60_000 });
  await page.evaluate(() => window.playground.ready);
  frames.demo = await phase('frames: default cluster with the demo producer, 10 s', async () => {
    await page.evaluate(() => window.playground.cluster.reset({ brokers: 3, controllers: 3, demo: true }));
    await page.waitForTimeout(3000);
    return page.evaluate(`(${measureFrames.toString()})(10000)`);
  }, 120_000);
  frames.large = await phase('frames: 9 brokers, 50 partitions, a producer app at 1,000 records/s, 10 s', async () => {
    await page.evaluate(() => window.playground.cluster.reset({ brokers: 9, controllers: 3, demo: false }));
    await page.evaluate(async () => {
      const admin = window.playground.kafka({ clientId: 'bench-frames' }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'bench-frames', numPartitions: 50, replicationFactor: 3 }] });
      await admin.disconnect();
      await window.playground.cluster.startProducer({ topic: 'bench-frames', ratePerSec: 1000, keys: 1000 });
    });
    await page.waitForTimeout(5000);
    const measured = await page.evaluate(`(${measureFrames.toString()})(10000)`);
    // What the producer really achieved over the window, from the partitions' high watermarks.
    measured.records = await page.evaluate(() => window.playground.cluster.describe().topics.find((t) => t.name === 'bench-frames')
      ?.partitions.reduce((sum, p) => sum + p.highWatermark, 0) ?? 0);
    return measured;
  }, 180_000);
  // Leave the profile's saved shape as the default.
  await page.evaluate(() => window.playground.cluster.reset({ brokers: 3, controllers: 3, demo: true })).catch(() => undefined);
}

// ---- The table ----------------------------------------------------------------------------------

const int = (n) => Math.round(n).toLocaleString('en-US');
const dec = (n, digits) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mbs = (n) => `${dec(n, n < 10 ? 2 : 1)} MB/s`;
const ms = (n) => (n >= 100 ? `${int(n)} ms` : `${dec(n, n < 10 ? 2 : 1)} ms`);
const kb = (bytes) => (bytes >= MB ? `${dec(bytes / MB, 1)} MB` : bytes >= 1000 ? `${dec(bytes / 1000, 1)} KB` : `${int(bytes)} B`);
const ratio = (a, b) => {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-';
  const r = a / b;
  return r >= 10 ? dec(r, 0) : r >= 1 ? dec(r, 1) : r >= 0.1 ? dec(r, 2) : dec(r, 3);
};

function table() {
  const { limits, cluster } = results;
  const rows = [];
  const row = (figure, measured, limit = '', r = '') => rows.push({ figure, measured, limit, ratio: r });
  const fail = (figure) => row(figure, 'failed (see errors)');

  // Bytes the leader stores per record, as measured in its database (else from the encoded shape).
  const stored = cluster.stored && cluster.stored.batches > 0 && cluster.stored.records > 0 ? cluster.stored : null;
  const bytesPerRecord = stored ? stored.bytes / stored.records : limits?.batch ? limits.batch.avgBatchBytes / limits.batch.avgRecordsPerBatch : null;
  const batchLimit = limits?.idbBatch16;
  for (const [name, produced] of [['produce acks=1', cluster.produceAcks1], ['produce acks=-1 (all)', cluster.produceAcksAll]]) {
    if (!produced) {
      fail(name);
      continue;
    }
    const seconds = produced.elapsedMs / 1000;
    const recPerSec = produced.records / seconds;
    const mbPerSec = bytesPerRecord ? (produced.records * bytesPerRecord) / MB / seconds : NaN;
    row(name, `${int(recPerSec)} rec/s  ${mbs(mbPerSec)}`,
      batchLimit ? `IDB ${kb(batchLimit.valueBytes)} values, 16/tx: ${mbs(batchLimit.mbPerSec)}` : 'IDB limit failed', ratio(mbPerSec, batchLimit?.mbPerSec));
    if (limits?.idbBatch1) row('', '', `IDB ${kb(limits.idbBatch1.valueBytes)} values, 1/tx: ${mbs(limits.idbBatch1.mbPerSec)}`, ratio(mbPerSec, limits.idbBatch1.mbPerSec));
    row('', '', limits?.idb100 ? `IDB 100 B values, 100/tx: ${int(limits.idb100.valuesPerSec)} values/s` : 'IDB limit failed', ratio(recPerSec, limits?.idb100?.valuesPerSec));
  }
  if (cluster.latency && limits?.idbCommit && limits?.mcSmall) {
    const { idbCommit, mcSmall } = limits;
    const limitMean = idbCommit.meanMs + 2 * mcSmall.meanMs;
    const limitP99 = idbCommit.p99Ms + 2 * mcSmall.p99Ms;
    row('produce latency acks=1', `mean ${ms(cluster.latency.meanMs)}  p50 ${ms(cluster.latency.p50Ms)}  p99 ${ms(cluster.latency.p99Ms)}`,
      `IDB commit + 2 MC RTT: mean ${ms(limitMean)}  p99 ${ms(limitP99)}`, `${ratio(cluster.latency.meanMs, limitMean)} (p99 ${ratio(cluster.latency.p99Ms, limitP99)})`);
  } else if (cluster.latency) {
    row('produce latency acks=1', `mean ${ms(cluster.latency.meanMs)}  p50 ${ms(cluster.latency.p50Ms)}  p99 ${ms(cluster.latency.p99Ms)}`, 'limit failed');
  } else fail('produce latency acks=1');
  if (cluster.consume) {
    const c = cluster.consume;
    const seconds = c.elapsedMs / 1000;
    row('consume fromBeginning', `${int(c.count / seconds)} rec/s  ${mbs(c.bytes / MB / seconds)}`,
      `${int(c.count)}${c.timedOut ? ` of ${int(c.expected)} (timed out)` : ''} records in ${dec(seconds, 1)} s, first after ${c.firstMs === null ? '-' : ms(c.firstMs)}`, '');
  } else fail('consume fromBeginning');
  const workerStart = limits?.workerStart?.medianMs;
  const startLimit = workerStart ? `4 Workers start + open IDB: ${ms(workerStart)}` : 'limit failed';
  if (cluster.start) {
    if (cluster.start.servingMs !== null) row('page load -> serving (first visit)', ms(cluster.start.servingMs), startLimit, ratio(cluster.start.servingMs, workerStart));
    row('page load -> ready (first visit, demo)', ms(cluster.start.readyMs), startLimit, ratio(cluster.start.readyMs, workerStart));
  } else fail('page load -> ready (first visit)');
  if (cluster.reset) row('cluster.reset -> serving', ms(cluster.reset.resetMs), startLimit, ratio(cluster.reset.resetMs, workerStart));
  else fail('cluster.reset -> serving');
  if (cluster.restartAtOnce) {
    const r = cluster.restartAtOnce;
    row('broker restart at once -> RUNNING', ms(r.runningMs), `no ratio: includes waiting out the old session (broker.session.timeout.ms, 3 s here); log recovery ${r.recoveryMs === null ? '-' : ms(r.recoveryMs)}`);
  } else fail('broker restart at once -> RUNNING');
  if (cluster.restartAfterFence) {
    const r = cluster.restartAfterFence;
    row('broker restart once fenced -> RUNNING', ms(r.runningMs), `no ratio: log recovery ${r.recoveryMs === null ? '-' : ms(r.recoveryMs)}`);
  } else fail('broker restart once fenced -> RUNNING');
  const f = results.frames;
  const idleFps = f?.idle?.fps;
  for (const [name, m] of [['UI frames, default demo', f?.demo], ['UI frames, 9 brokers 50 partitions 1,000 rec/s', f?.large]]) {
    if (!m) {
      fail(name);
      continue;
    }
    row(name, `${dec(m.fps, 1)} fps  p95 frame ${ms(m.p95FrameMs)}  ${m.longTasks} long tasks (${ms(m.longTaskMs)} of ${dec(m.elapsedMs / 1000, 0)} s)`,
      idleFps ? `idle page: ${dec(idleFps, 1)} fps` : 'idle limit failed', ratio(m.fps, idleFps));
    if (m.records !== undefined) row('', `${int(m.records)} records in the topic, ${m.inFlight ?? '-'} messages in flight at the end`);
  }
  if (cluster.heap) {
    const h = cluster.heap;
    const mib = (n) => `${dec(n / 1048576, 1)} MiB`;
    const workerSum = h.workers.reduce((sum, w) => sum + (w.usedSize ?? 0), 0);
    row('JS heap after produce', `page ${mib(h.main.usedSize)}  workers ${mib(workerSum)}`, `${h.workers.length} workers, see below`);
  } else fail('JS heap after produce');
  return rows;
}

function printTable(rows) {
  const widths = ['figure', 'measured', 'limit'].map((key) => Math.max(key.length, ...rows.map((r) => r[key].length)));
  const line = (r) => `${r.figure.padEnd(widths[0])}  ${r.measured.padEnd(widths[1])}  ${r.limit.padEnd(widths[2])}  ${r.ratio}`.trimEnd();
  console.log(line({ figure: 'figure', measured: 'measured', limit: 'limit (same run, same machine)', ratio: 'ratio' }));
  console.log('-'.repeat(widths[0] + widths[1] + widths[2] + 12));
  for (const r of rows) console.log(line(r));
}

function printDetails() {
  const { limits, cluster } = results;
  const lat = (l) => (l ? `mean ${ms(l.meanMs)}  p50 ${ms(l.p50Ms)}  p99 ${ms(l.p99Ms)}` : 'failed');
  const wl = (w) => (w ? `${mbs(w.mbPerSec)}  ${int(w.valuesPerSec)} values/s` : 'failed');
  console.log('\nLimits (bench.html, from Workers, IndexedDB on disk):');
  if (limits) {
    const b = limits.batch;
    if (b) console.log(`  a bench send (${b.recordsPerSend} records of ${b.valueBytes} B, keys spread over ${b.partitions} partitions) makes batches of ${dec(b.avgRecordsPerBatch, 1)} records, ${kb(b.avgBatchBytes)} encoded`);
    console.log(`  IDB write 16 KiB values, 16/tx          ${wl(limits.idb16k)}`);
    if (b) {
      console.log(`  IDB write ${kb(b.avgBatchBytes)} values, 16/tx         ${wl(limits.idbBatch16)}`);
      console.log(`  IDB write ${kb(b.avgBatchBytes)} values, 1/tx          ${wl(limits.idbBatch1)}`);
      console.log(`  IDB write ${kb(b.avgBatchBytes)} values, 16/tx, 3 Workers at once: ${limits.idbBatch16x3 ? `${mbs(limits.idbBatch16x3.mbPerSec)} in total` : 'failed'}`);
    }
    console.log(`  IDB write 100 B values, 100/tx          ${wl(limits.idb100)}`);
    console.log(`  IDB small transaction commit            ${lat(limits.idbCommit)}`);
    console.log(`  MessageChannel RTT worker<->worker, small       ${lat(limits.mcSmall)}`);
    console.log(`  MessageChannel RTT worker<->worker, 16 KiB transferred  ${lat(limits.mcTransfer16k)}`);
    console.log(`  MessageChannel RTT page<->worker, small          ${lat(limits.mcPageSmall)}`);
    console.log(`  4 Workers start + open IDB: ${limits.workerStart ? limits.workerStart.samplesMs.map(ms).join(', ') : 'failed'}`);
  } else console.log('  failed');
  console.log('\nCluster details:');
  for (const p of [cluster.produceAcks1, cluster.produceAcksAll].filter(Boolean)) {
    console.log(`  acks=${p.acks}: ${int(p.records)} records in ${dec(p.elapsedMs / 1000, 1)} s, ${int(p.sends)} sends (mean ${p.meanSendMs === null ? '-' : ms(p.meanSendMs)} each), `
      + `${p.errors} failed${p.firstError ? ` (first: ${p.firstError})` : ''}; ISR caught up ${ms(p.catchUpMs)} after the last ack; ISR sizes ${p.isrSizes.join(', ')}`);
  }
  for (const [name, phaseResult] of [['acks=1', cluster.produceAcks1], ['acks=-1', cluster.produceAcksAll], ['consume', cluster.consume]]) {
    const c = phaseResult?.cpu;
    if (!c) continue;
    const byProcess = Object.entries(c.processes).sort((a, b) => b[1] - a[1]).map(([type, cores]) => `${type.replace('.mojom.', ' ').replace(/Service$/, '')} ${dec(cores, 2)}`).join(', ');
    const { Task: busy = 0, ...parts } = c.mainThread;
    const partsText = Object.entries(parts).filter(([, share]) => share >= 0.01).sort((a, b) => b[1] - a[1]).map(([part, share]) => `${part} ${dec(share * 100, 0)}%`).join(', ');
    console.log(`  CPU during ${name}: ${dec(c.totalCores, 2)} cores of ${results.machine.cpus} (${byProcess}); page main thread busy ${dec(busy * 100, 0)}% (${partsText})`);
  }
  for (const r of [cluster.restartAtOnce, cluster.restartAfterFence].filter(Boolean)) {
    console.log(`  broker ${r.id} restart${r.waitFenced ? ` once fenced (${ms(r.fencedAfterMs)} after the kill)` : ' at once'}: worker started in ${ms(r.workerStartedMs)}, `
      + `log recovery ${r.recoveryMs === null ? '-' : ms(r.recoveryMs)}${r.recovered ? ` (${r.recovered.partitions} partitions, ${int(r.recovered.batches)} batches, ${kb(r.recovered.bytes)})` : ''}, RUNNING after ${ms(r.runningMs)}`);
  }
  if (cluster.heap) console.log(`  heap by worker: ${cluster.heap.workers.map((w) => `${w.name} ${w.usedSize === null ? '?' : `${dec(w.usedSize / 1048576, 1)} MiB`}`).join(', ')}`);
  if (cluster.stored) {
    const s = cluster.stored;
    console.log(`  leaders store ${int(s.batches)} batches, ${dec(s.bytes / MB, 1)} MB for ${int(s.records)} records of ${TOPIC}: `
      + `${s.batches ? kb(s.bytes / s.batches) : '-'} per batch, ${s.records ? int(s.bytes / s.records) : '-'} B per record; `
      + `brokers holding a copy, per partition: ${s.copies.join(', ')} (replication factor ${CONFIG.replicationFactor})`);
  }
  if (cluster.topics) console.log(`  ISR sizes once the topics were created: ${cluster.topics.isrSizes.join(', ')}`);
  if (cluster.latency) console.log(`  latency max ${ms(cluster.latency.maxMs)}`);
  if (cluster.heap?.performanceMemory) console.log(`  performance.memory (quantized): ${dec(cluster.heap.performanceMemory.usedJSHeapSize / 1048576, 0)} MiB used`);
  const isr = [cluster.produceAcks1, cluster.produceAcksAll].filter(Boolean).flatMap((p) => p.isrSizes);
  if (isr.length > 0 && isr.some((n) => n < CONFIG.replicationFactor)) {
    console.log(`\nNote: the ISR held fewer than ${CONFIG.replicationFactor} replicas (${isr.join(', ')}): acks=-1 waited for those only, and followers outside the ISR may not have stored the records.`);
  }
  console.log('\nMB/s of produce = bytes of record batches as the leader stores them (keys, values, batch headers), per replica.');
  console.log('ratio = figure / limit: for throughput, the fraction of the limit reached; for latency and time, how many times the limit.');
}

async function main() {
  const started = Date.now();
  const executablePath = findChromium() ?? undefined;
  console.error(`bench: serving dist/ on ${ORIGIN}`);
  server = startServer();
  try {
    await waitForServer();
    profileDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-playground-bench-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath, args: CHROMIUM_ARGS, headless: true });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console.error: ${message.text()}`);
    });
    results.machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, platform: `${os.platform()} ${os.release()}`, chromium: context.browser()?.version() ?? null, node: process.version };

    console.error('bench: limits (bench.html)');
    results.limits = await phase('limits', () => runLimits(page), 180_000);
    console.error('bench: cluster (index.html)');
    await runCluster(page).catch((error) => {
      results.errors.push(`cluster: ${error.message}`);
      console.error(`  cluster: ${error.message}`);
    });
    console.error('bench: frames (index.html)');
    await runFrames(page).catch((error) => {
      results.errors.push(`frames: ${error.message}`);
      console.error(`  frames: ${error.message}`);
    });
  } catch (error) {
    results.errors.push(`bench: ${error.message}`);
    console.error(`bench: ${error.message}`);
  } finally {
    await cleanup();
  }
  results.durationMs = Date.now() - started;
  results.pageProblems = pageProblems.slice(0, 20);

  const rows = table();
  results.table = rows;
  const m = results.machine;
  console.log(`\nKafka Playground benchmark: Chromium ${m.chromium ?? '?'}, ${m.cpus ?? '?'} CPUs (${m.cpuModel ?? '?'}), ${results.startedAt}\n`);
  printTable(rows);
  printDetails();
  if (results.errors.length > 0) {
    console.log('\nErrors:');
    for (const error of results.errors) console.log(`  ${error}`);
  }
  if (pageProblems.length > 0) {
    console.log(`\nPage errors (${pageProblems.length}, first 5):`);
    for (const problem of pageProblems.slice(0, 5)) console.log(`  ${problem.slice(0, 300)}`);
  }
  const outDir = path.join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote bench-results/latest.json (run took ${dec(results.durationMs / 1000, 0)} s).`);
}

await main();
