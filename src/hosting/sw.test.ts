import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { injectPrecache } from './precachePlugin';

// public/sw.js run in a fake service-worker global: a working in-memory CacheStorage and a
// network that serves files from a map, or fails when offline.

const SOURCE = readFileSync(new URL('../../public/sw.js', import.meta.url), 'utf8');
const SCOPE = 'http://localhost:4213/kafka-playground/';
const ENTRIES = ['assets/main-abc123.js', 'assets/broker.worker-def456.js', 'favicon.svg', 'index.html'];

class FakeCache {
  readonly entries = new Map<string, Response>();
  constructor(private readonly network: Network) {}
  async addAll(requests: Request[]): Promise<void> {
    const responses = await Promise.all(requests.map((request) => this.network.fetch(request)));
    if (responses.some((response) => !response.ok)) throw new TypeError('addAll: a response was not ok');
    responses.forEach((response, i) => this.entries.set(requests[i].url, response));
  }
  async match(url: string): Promise<Response | undefined> {
    return this.entries.get(url)?.clone();
  }
}

class FakeCacheStorage {
  readonly caches = new Map<string, FakeCache>();
  constructor(private readonly network: Network) {}
  async open(name: string): Promise<FakeCache> {
    if (!this.caches.has(name)) this.caches.set(name, new FakeCache(this.network));
    return this.caches.get(name)!;
  }
  async keys(): Promise<string[]> {
    return [...this.caches.keys()];
  }
  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
}

class Network {
  online = true;
  readonly files = new Map<string, string>();
  readonly requests: { url: string; cache?: string }[] = [];
  async fetch(request: Request | { url: string; cache?: string }): Promise<Response> {
    this.requests.push({ url: request.url, cache: request.cache });
    if (!this.online) throw new TypeError('Failed to fetch');
    const body = this.files.get(request.url);
    return body === undefined ? new Response('not found', { status: 404 }) : new Response(body, { status: 200 });
  }
}

/** Loads sw.js with the given version and returns a handle to dispatch its events. */
function loadServiceWorker(network: Network, storage: FakeCacheStorage, version: string) {
  const listeners = new Map<string, ((event: unknown) => void)[]>();
  const calls = { skipWaiting: 0, claim: 0 };
  const self = {
    registration: { scope: SCOPE },
    location: { href: `${SCOPE}sw.js` },
    addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, [...(listeners.get(type) ?? []), listener]),
    skipWaiting: async () => { calls.skipWaiting++; },
    clients: { claim: async () => { calls.claim++; } },
  };
  runInNewContext(injectPrecache(SOURCE, ENTRIES, version), {
    self, caches: storage, fetch: (request: Request) => network.fetch(request), Request, Response, URL, Promise, Set,
  });
  const dispatch = (type: string, event: object) => { for (const listener of listeners.get(type) ?? []) listener(event); };
  return {
    calls,
    async lifecycle(type: 'install' | 'activate'): Promise<void> {
      const pending: Promise<unknown>[] = [];
      dispatch(type, { waitUntil: (promise: Promise<unknown>) => pending.push(promise) });
      await Promise.all(pending);
    },
    message(data: unknown): void {
      dispatch('message', { data });
    },
    /** The response sw.js gives, or undefined when it leaves the request to the browser. */
    async fetch(url: string, mode: 'navigate' | 'cors' | 'same-origin' = 'cors'): Promise<string | undefined> {
      let responded: Promise<Response> | undefined;
      dispatch('fetch', { request: { url, method: 'GET', mode }, respondWith: (response: Promise<Response>) => { responded = response; } });
      return responded && (await responded).text();
    },
  };
}

function setup(version = 'v1') {
  const network = new Network();
  for (const entry of ENTRIES) network.files.set(SCOPE + entry, `${entry} of ${version}`);
  network.files.set(SCOPE, `index.html of ${version}`);
  const storage = new FakeCacheStorage(network);
  return { network, storage, sw: loadServiceWorker(network, storage, version) };
}

describe('sw.js', () => {
  it('precaches every listed file at install, revalidating with the server, in a cache named for its scope and version', async () => {
    const { network, storage, sw } = setup();
    await sw.lifecycle('install');
    const name = `kafka-playground:precache ${SCOPE} v1`;
    expect([...storage.caches.keys()]).toEqual([name]);
    expect([...storage.caches.get(name)!.entries.keys()].sort()).toEqual(ENTRIES.map((e) => SCOPE + e).sort());
    expect(network.requests.every((r) => r.cache === 'no-cache')).toBe(true);
    // A new version waits: it never skips waiting by itself.
    expect(sw.calls.skipWaiting).toBe(0);
  });

  it('serves precached assets from the cache, even when the network has something else or is down', async () => {
    const { network, sw } = setup();
    await sw.lifecycle('install');
    network.files.set(`${SCOPE}assets/main-abc123.js`, 'changed on the server');
    expect(await sw.fetch(`${SCOPE}assets/main-abc123.js`)).toBe('assets/main-abc123.js of v1');
    network.online = false;
    expect(await sw.fetch(`${SCOPE}assets/broker.worker-def456.js?worker`)).toBe('assets/broker.worker-def456.js of v1');
    // Not precached, or outside the scope, or not a GET: left to the browser.
    expect(await sw.fetch(`${SCOPE}assets/main-abc123.js.map`)).toBeUndefined();
    expect(await sw.fetch('http://localhost:4213/other-app/assets/main-abc123.js')).toBeUndefined();
  });

  it('loads pages from the network first and from the cache when offline', async () => {
    const { network, sw } = setup();
    await sw.lifecycle('install');
    network.files.set(SCOPE, 'index.html of v2');
    expect(await sw.fetch(SCOPE, 'navigate')).toBe('index.html of v2');
    network.online = false;
    expect(await sw.fetch(SCOPE, 'navigate')).toBe('index.html of v1');
    expect(await sw.fetch(`${SCOPE}index.html#scenario=abc`, 'navigate')).toBe('index.html of v1');
    expect(await sw.fetch(`${SCOPE}?tutorial=1`, 'navigate')).toBe('index.html of v1');
    // A page that was never cached fails as it would without a service worker.
    await expect(sw.fetch(`${SCOPE}missing.html`, 'navigate')).rejects.toThrow('Failed to fetch');
  });

  it('on activation deletes only its own scope\'s older caches, and claims pages without reloading them', async () => {
    const { network, storage, sw } = setup();
    await sw.lifecycle('install');
    await sw.lifecycle('activate');
    const other = [`kafka-playground:precache ${SCOPE}sub/ v1`, 'kafka-playground:precache http://localhost:4213/ v1', 'another-app'];
    for (const name of other) await storage.open(name);

    const next = loadServiceWorker(network, storage, 'v2');
    await next.lifecycle('install');
    expect((await storage.keys()).filter((n) => n.startsWith(`kafka-playground:precache ${SCOPE} `))).toHaveLength(2);
    await next.lifecycle('activate');
    expect((await storage.keys()).sort()).toEqual([...other, `kafka-playground:precache ${SCOPE} v2`].sort());
    expect(next.calls).toEqual({ skipWaiting: 0, claim: 1 });
  });

  it('skips waiting only when the page asks (the user clicked reload)', () => {
    const { sw } = setup();
    sw.message({ type: 'something else' });
    sw.message(null);
    expect(sw.calls.skipWaiting).toBe(0);
    sw.message({ type: 'SKIP_WAITING' });
    expect(sw.calls.skipWaiting).toBe(1);
  });
});
