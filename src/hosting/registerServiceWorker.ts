// Offline support: registers public/sw.js (see there) in the built site, and tells the page when
// a new version is installed and waiting. Nothing here ever reloads the page on its own.

export interface RegistrationEnvironment {
  /** A production build (import.meta.env.PROD): the dev server has no precache list. */
  production: boolean;
  /** Under Vitest. */
  test: boolean;
  /** navigator.serviceWorker exists (it does not on http:// other than localhost, or in some private modes). */
  supported: boolean;
}

export function shouldRegister(env: RegistrationEnvironment): boolean {
  return env.production && !env.test && env.supported;
}

/** The worker sits beside index.html, so its default scope is the directory the site is served from. */
export function serviceWorkerUrl(documentBase: string): string {
  return new URL('sw.js', documentBase).href;
}

/** The parts of ServiceWorkerRegistration / ServiceWorkerContainer watched here (fakes in tests). */
type WorkerLike = Pick<ServiceWorker, 'state' | 'addEventListener'>;
export interface WatchedRegistration<W extends WorkerLike = WorkerLike> extends Pick<EventTarget, 'addEventListener'> {
  readonly installing: W | null;
  readonly waiting: W | null;
}

/**
 * Calls onWaiting with a worker that has installed and waits while an older one controls this
 * page: a new version. Not on the first visit (no controller), where the worker activates at once.
 */
export function watchForWaiting<W extends WorkerLike>(registration: WatchedRegistration<W>, hasController: () => boolean, onWaiting: (worker: W) => void): void {
  const check = () => {
    if (registration.waiting && hasController()) onWaiting(registration.waiting);
  };
  const follow = (installing: W | null) => installing?.addEventListener('statechange', () => {
    if (installing.state === 'installed') check();
  });
  check();
  // The browser may have found the new version on this page's navigation, before register() ran.
  follow(registration.installing);
  registration.addEventListener('updatefound', () => follow(registration.installing));
}

// The waiting worker, for UpdateNote (useSyncExternalStore).
let waiting: ServiceWorker | null = null;
const listeners = new Set<() => void>();

export function waitingWorker(): ServiceWorker | null {
  return waiting;
}

export function onUpdateAvailable(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setWaiting(worker: ServiceWorker): void {
  if (waiting === worker) return;
  waiting = worker;
  for (const listener of listeners) listener();
}

/**
 * Only on the user's click: the waiting worker takes over and the page reloads into the new
 * version (its IndexedDB logs are kept, as on any reload).
 */
export function applyUpdate(): void {
  if (!waiting) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  waiting.postMessage({ type: 'SKIP_WAITING' });
}

/** Called once from main.tsx. Registers after the page has loaded, so precaching does not compete with it. */
export function registerServiceWorker(): void {
  const env = {
    production: import.meta.env.PROD,
    test: import.meta.env.MODE === 'test' || !!import.meta.env.VITEST,
    supported: typeof navigator !== 'undefined' && 'serviceWorker' in navigator,
  };
  if (!shouldRegister(env)) return;
  const register = async () => {
    try {
      const registration = await navigator.serviceWorker.register(serviceWorkerUrl(document.baseURI));
      watchForWaiting(registration, () => navigator.serviceWorker.controller !== null, setWaiting);
    } catch (error) {
      // The playground runs as well without; it just needs the network next time.
      console.warn('Kafka Playground: no offline support (service worker not registered)', error);
    }
  };
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
}
