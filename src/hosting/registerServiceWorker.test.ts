import { describe, expect, it } from 'vitest';
import { serviceWorkerUrl, shouldRegister, watchForWaiting } from './registerServiceWorker';

describe('shouldRegister', () => {
  it('registers only in a production build, outside Vitest, where service workers exist', () => {
    expect(shouldRegister({ production: true, test: false, supported: true })).toBe(true);
    expect(shouldRegister({ production: false, test: false, supported: true })).toBe(false); // vite dev server
    expect(shouldRegister({ production: true, test: true, supported: true })).toBe(false);
    expect(shouldRegister({ production: true, test: false, supported: false })).toBe(false);
  });
});

describe('serviceWorkerUrl', () => {
  it('puts the worker beside index.html, whatever the path and hash', () => {
    expect(serviceWorkerUrl('https://someone.github.io/kafka-playground/')).toBe('https://someone.github.io/kafka-playground/sw.js');
    expect(serviceWorkerUrl('https://someone.github.io/kafka-playground/index.html#scenario=v1.abc')).toBe('https://someone.github.io/kafka-playground/sw.js');
    expect(serviceWorkerUrl('http://localhost:4173/')).toBe('http://localhost:4173/sw.js');
  });
});

/** A ServiceWorker and its registration as far as watchForWaiting sees them. */
class FakeWorker extends EventTarget {
  constructor(public state: ServiceWorkerState = 'installing') { super(); }
  become(state: ServiceWorkerState): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }
}
class FakeRegistration extends EventTarget {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  /** The browser found a new sw.js and installs it; with a controller it then waits. */
  install(controlled: boolean): FakeWorker {
    const worker = new FakeWorker();
    this.installing = worker;
    this.dispatchEvent(new Event('updatefound'));
    this.installing = null;
    this.waiting = worker;
    worker.become('installed');
    if (!controlled) {
      this.waiting = null;
      worker.become('activating');
    }
    return worker;
  }
}

describe('watchForWaiting', () => {
  it('says nothing on the first visit, where the first version installs and activates at once', () => {
    const registration = new FakeRegistration();
    const seen: FakeWorker[] = [];
    watchForWaiting(registration, () => false, (worker) => seen.push(worker));
    registration.install(false);
    expect(seen).toEqual([]);
  });

  it('reports a new version that installs while an older one controls the page', () => {
    const registration = new FakeRegistration();
    const seen: FakeWorker[] = [];
    watchForWaiting(registration, () => true, (worker) => seen.push(worker));
    expect(seen).toEqual([]);
    const next = registration.install(true);
    expect(seen).toEqual([next]);
    expect(next.state).toBe('installed');
  });

  it('reports a version the browser was already installing when the page registered', () => {
    const registration = new FakeRegistration();
    const installing = new FakeWorker('installing');
    registration.installing = installing;
    const seen: FakeWorker[] = [];
    watchForWaiting(registration, () => true, (worker) => seen.push(worker));
    expect(seen).toEqual([]);
    registration.installing = null;
    registration.waiting = installing;
    installing.become('installed');
    expect(seen).toEqual([installing]);
  });

  it('reports a version already waiting when the page registers', () => {
    const registration = new FakeRegistration();
    registration.waiting = new FakeWorker('installed');
    const seen: FakeWorker[] = [];
    watchForWaiting(registration, () => true, (worker) => seen.push(worker));
    expect(seen).toEqual([registration.waiting]);
  });
});
