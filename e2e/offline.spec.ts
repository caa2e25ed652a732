import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { waitForBrokersRunning } from './helpers';

// The built site with its service worker (public/sw.js): offline after the first visit, from any
// path, and a new version never takes over a running page.

const DIST = resolve(process.env.E2E_DIST ?? 'dist');
const SUB_PATH = '/kafka-playground/';

/** Waits until this page's service worker is activated (so every file is precached) and controls the page. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return `${registration?.active?.state}:${navigator.serviceWorker.controller !== null}`;
  }), { timeout: 30_000 }).toBe('activated:true');
}

/** Opens the site with no demo traffic and every broker serving. */
async function openCluster(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.evaluate(() => window.playground.ready);
  await page.evaluate(() => window.playground.cluster.reset({ demo: false }));
  await waitForBrokersRunning(page);
}

async function createTopic(page: Page, topic: string): Promise<void> {
  await page.evaluate(async (name) => {
    const admin = window.playground.kafka({ clientId: 'e2e-offline-admin' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1, replicationFactor: 3 }] });
    await admin.disconnect();
  }, topic);
  await expect.poll(() => page.evaluate((t) => window.playground.cluster.describe().topics.find((x) => x.name === t)?.partitions[0]?.isr.length ?? 0, topic), { timeout: 30_000 }).toBe(3);
}

async function produce(page: Page, topic: string, value: string): Promise<void> {
  await page.evaluate(async ([t, v]) => {
    const producer = window.playground.kafka({ clientId: 'e2e-offline-producer' }).producer();
    await producer.connect();
    await producer.send({ topic: t, acks: -1, messages: [{ key: 'k', value: v }] });
    await producer.disconnect();
  }, [topic, value] as const);
}

/** Reads the topic from the beginning with a new group until `count` values have arrived. */
async function consume(page: Page, topic: string, count: number): Promise<string[]> {
  return page.evaluate(async ([t, n]) => {
    const consumer = window.playground.kafka({ clientId: 'e2e-offline-consumer' }).consumer({ groupId: `e2e-offline-${t}` });
    await consumer.connect();
    await consumer.subscribe({ topic: t, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((done) => {
      void consumer.run({ eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
        if (values.length === n) done();
      } });
    });
    await consumer.disconnect();
    return values;
  }, [topic, count] as const);
}

/** Built files under DIST that the site may load (everything but source maps and sw.js). */
function builtFiles(dir = DIST, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return builtFiles(join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name.endsWith('.map') || entry.name === 'sw.js' ? [] : [`${prefix}${entry.name}`];
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json',
};

/**
 * DIST served under SUB_PATH only, as a GitHub Pages project page is, counting the requests it
 * answers. After deploy(), sw.js is a new version (its VERSION suffixed with '-next').
 */
async function subPathServer(): Promise<{ server: Server; origin: string; requests: string[]; deploy: () => void }> {
  const requests: string[] = [];
  let deployed = false;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    if (path === SUB_PATH.slice(0, -1)) {
      res.writeHead(301, { location: SUB_PATH }).end();
      return;
    }
    const file = path === SUB_PATH ? 'index.html' : path.startsWith(SUB_PATH) ? path.slice(SUB_PATH.length) : null;
    let body: Buffer;
    try {
      if (file === null || file.split('/').includes('..')) throw new Error('outside');
      body = readFileSync(join(DIST, file));
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    if (file === 'sw.js' && deployed) body = Buffer.from(body.toString('utf8').replace(/^const VERSION = "([0-9a-f]+)";$/m, 'const VERSION = "$1-next";'));
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, 'localhost', done));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://localhost:${port}`, requests, deploy: () => { deployed = true; } };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

test('sw.js precaches index.html and every built file, the Workers\' scripts and their chunks included', async ({ request }) => {
  const source = await (await request.get('./sw.js')).text();
  const list = JSON.parse(/const PRECACHE = (\[[^\]]*\]);/.exec(source)?.[1] ?? 'null') as string[] | null;
  expect(list, 'sw.js has no precache list: was it built by vite build?').not.toBeNull();
  const files = builtFiles();
  expect(files).toContain('index.html');
  expect(files.filter((f) => /\.worker-.*\.js$/.test(f)).length).toBeGreaterThanOrEqual(3);
  expect([...list!].sort()).toEqual(files.sort());
});

test('after the first visit the site works with the network cut: it reloads, the cluster starts from its logs, records are produced and consumed', async ({ page, context }) => {
  test.setTimeout(150_000);
  await openCluster(page, './');
  await waitForServiceWorker(page);
  await createTopic(page, 'offline');
  await produce(page, 'offline', 'before');

  await context.setOffline(true);
  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker(), 'index.html served by the service worker').toBe(true);
  // The Workers' scripts load from the precache too, or no broker would start.
  await page.evaluate(() => window.playground.ready);
  await waitForBrokersRunning(page);
  await produce(page, 'offline', 'after');
  expect(await consume(page, 'offline', 2)).toEqual(['before', 'after']);
  await context.setOffline(false);
});

test('served from a sub-path (a GitHub Pages project page), the site works, and offline too with no request reaching the server', async ({ page, context }) => {
  test.setTimeout(150_000);
  const { server, origin, requests } = await subPathServer();
  try {
    await openCluster(page, `${origin}${SUB_PATH.slice(0, -1)}`); // redirected to the trailing slash
    expect(new URL(page.url()).pathname).toBe(SUB_PATH);
    await waitForServiceWorker(page);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope)).toBe(`${origin}${SUB_PATH}`);
    // Nothing was asked of the server outside the sub-path (besides Chromium's own /favicon.ico).
    expect(requests.filter((path) => !path.startsWith(SUB_PATH) && path !== SUB_PATH.slice(0, -1) && path !== '/favicon.ico')).toEqual([]);
    await createTopic(page, 'sub-path');
    await produce(page, 'sub-path', 'one');

    await context.setOffline(true);
    requests.length = 0;
    // A hash (as scenario links carry) does not change which page is loaded.
    await page.goto(`${origin}${SUB_PATH}#offline-check`);
    expect((await page.reload())?.fromServiceWorker()).toBe(true);
    await page.evaluate(() => window.playground.ready);
    await waitForBrokersRunning(page);
    await produce(page, 'sub-path', 'two');
    expect(await consume(page, 'sub-path', 2)).toEqual(['one', 'two']);
    // Chromium's own check for a new sw.js bypasses Playwright's offline emulation (a really
    // offline browser's check just fails, harmlessly); every request of the page itself must not.
    expect(requests.filter((path) => path !== `${SUB_PATH}sw.js`), 'requests that reached the server while offline').toEqual([]);
  } finally {
    await context.setOffline(false);
    await stop(server);
  }
});

test('a new version waits: it installs while the page keeps running, never reloads it, and starts on the next visit', async ({ page, context }) => {
  test.setTimeout(150_000);
  const { server, origin, deploy } = await subPathServer();
  try {
    await openCluster(page, `${origin}${SUB_PATH}`);
    await waitForServiceWorker(page);
    const cacheNames = () => page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('kafka-playground:precache ')));
    const [first] = await cacheNames();
    expect(first).toMatch(/ [0-9a-f]{16}$/);
    await page.evaluate(() => { (window as unknown as { marker: string }).marker = 'the same page'; });

    // A new deployment: the worker script changes (its version too). The browser checks for one on
    // each navigation in the scope: here another tab opens a file of the site.
    deploy();
    const other = await context.newPage();
    await other.goto(`${origin}${SUB_PATH}favicon.svg`);
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state ?? null), { timeout: 30_000 }).toBe('installed');
    await expect(page.getByRole('status').filter({ hasText: 'new version of the playground is available' })).toBeVisible();

    // Still the same page, still served by the first version, its cluster untouched.
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('the same page');
    await waitForBrokersRunning(page);
    // The new version's files are cached beside the old ones, which the page may still ask for.
    expect(await cacheNames()).toEqual([first, `${first}-next`]);

    // The next visit: every tab of the old version closed, then the site opened again. The old
    // version lets go once its page and that page's Workers are gone: watched from a page on the
    // same origin outside the site's scope.
    const outside = await context.newPage();
    await outside.goto(`${origin}/outside-the-site`);
    await other.close();
    await page.close();
    await expect.poll(() => outside.evaluate(async (scope) => {
      const registration = await navigator.serviceWorker.getRegistration(scope);
      return registration?.waiting?.state ?? null;
    }, `${origin}${SUB_PATH}`), { timeout: 30_000 }).toBeNull();
    const next = await context.newPage();
    await next.goto(`${origin}${SUB_PATH}`);
    await next.evaluate(() => window.playground.ready);
    // The new version is active and controls the page, and the old version's cache is gone.
    await expect.poll(() => next.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const names = (await caches.keys()).filter((name) => name.startsWith('kafka-playground:precache '));
      return { waiting: registration?.waiting?.state ?? null, active: registration?.active?.state, controlled: navigator.serviceWorker.controller !== null, names };
    }), { timeout: 30_000 }).toEqual({ waiting: null, active: 'activated', controlled: true, names: [`${first}-next`] });
  } finally {
    await stop(server);
  }
});
