/*
 * Kafka Playground service worker: the site works offline after the first visit.
 *
 * - Every built file is precached at install (the list and the version are written in at build
 *   time by src/hosting/precachePlugin.ts; in dev this file is not registered).
 * - Navigations (index.html) go to the network first, so a new deployment is seen at once, and fall
 *   back to the cache offline. Every other precached file (content-hashed assets, the Workers'
 *   scripts) comes from the cache of this version first.
 * - A new version never takes over a running page: no skipWaiting() on install, so it waits until
 *   every tab of the old one is closed and starts on the next visit. The page may offer a reload;
 *   only a click there sends SKIP_WAITING.
 */
'use strict';

// Paths relative to this script (the directory of index.html), and a hash of their contents.
const PRECACHE = /* PRECACHE_ENTRIES */ [];
const VERSION = /* PRECACHE_VERSION */ 'dev';

const SCOPE = self.registration.scope;
// The scope is in the name: two deployments on one origin (GitHub Pages project pages of one user)
// keep their own caches, and the space cannot occur in a URL, so no scope is a prefix of another.
const CACHE_PREFIX = `kafka-playground:precache ${SCOPE} `;
const CACHE = CACHE_PREFIX + VERSION;
const PRECACHED = new Set(PRECACHE.map((path) => new URL(path, self.location.href).href));
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (event) => {
  // 'no-cache' revalidates with the server, so no stale copy from the HTTP cache enters this version.
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll([...PRECACHED].map((url) => new Request(url, { cache: 'no-cache' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    // Only pages that have no service worker yet (the first visit) are claimed, and nothing reloads:
    // such a page keeps running and from now on loads its Workers and lazy chunks from this cache,
    // which holds exactly the files it asks for (by their hashed names). A page of an older version
    // cannot be controlled by an old worker here: this one activates only once those are gone.
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = withoutQuery(request.url);
  if (request.mode === 'navigate') event.respondWith(networkFirst(request, url));
  else if (PRECACHED.has(url)) event.respondWith(cacheFirst(request, url));
});

async function networkFirst(request, url) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    // The scope's own URL ('.../') is index.html; other pages only if they were precached.
    const cached = await cache.match(url === SCOPE ? INDEX : url, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request, url) {
  const cache = await caches.open(CACHE);
  return (await cache.match(url, { ignoreVary: true })) || fetch(request);
}

function withoutQuery(href) {
  const url = new URL(href);
  url.search = '';
  url.hash = '';
  return url.href;
}
