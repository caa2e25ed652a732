/**
 * Keyboard shortcuts for the playground: time (play/pause, step, speed), killing and restarting
 * brokers, and the help overlay. They act through `window.playground.cluster`, the same API
 * scripts and tests use, and stay off while a person types in a field.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';

export interface Shortcut { keys: string[]; action: string }

/** What the help overlay lists: every shortcut useShortcuts handles. */
export const SHORTCUTS: readonly { group: string; items: readonly Shortcut[] }[] = [
  {
    group: 'Time',
    items: [
      { keys: ['Space'], action: 'Play or pause the cluster clock (every Kafka timeout stops with it)' },
      { keys: ['.', 's'], action: 'Step: pause, then deliver the next held message' },
      { keys: ['+'], action: 'Faster (up to 10×)' },
      { keys: ['-'], action: 'Slower (down to 0.1×)' },
    ],
  },
  {
    group: 'Nodes',
    items: [
      { keys: ['k', '1–9'], action: 'Kill broker 1–9 (its worker is terminated, as a crash)' },
      { keys: ['r', '1–9'], action: 'Restart broker 1–9 (it recovers its log from IndexedDB)' },
      { keys: ['k'], action: 'With a node focused on the stage: kill it (a broker, controller or client application); r restarts a broker or controller' },
    ],
  },
  {
    group: 'Help',
    items: [
      { keys: ['?'], action: 'Open this list' },
      { keys: ['Esc'], action: 'Close it, or cancel a pending k or r' },
    ],
  },
];

/** The speeds + and - move between: the stops of the time controls' slider. */
export const SPEED_STEPS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 4, 10];

/** The next speed up (+1) or down (-1) from `speed` on SPEED_STEPS. */
export function nextSpeed(speed: number, direction: 1 | -1): number {
  if (direction > 0) return SPEED_STEPS.find((s) => s > speed + 1e-9) ?? SPEED_STEPS[SPEED_STEPS.length - 1];
  return [...SPEED_STEPS].reverse().find((s) => s < speed - 1e-9) ?? SPEED_STEPS[0];
}

/** The part of `window.playground.cluster` the shortcuts use; each method may be missing in an older build. */
export interface ShortcutCluster {
  pause?: () => unknown; resume?: () => unknown; step?: () => unknown; isPaused?: () => boolean;
  setSpeed?: (speed: number) => unknown; speed?: () => number;
  killBroker?: (id: number) => unknown; restartBroker?: (id: number) => unknown;
  killController?: (id: number) => unknown; restartController?: (id: number) => unknown;
  killClient?: (id: string) => unknown;
}

/** Whether a key event comes from somewhere a person types (or a control that wants its own keys). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.isContentEditable) return true;
  return el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="textbox"], [role="combobox"]') !== null;
}

/** Space activates a focused button or link: leave it to them. */
function isActivatable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && typeof el.closest === 'function' && el.closest('button, a[href], summary, [role="button"], [role="checkbox"], [role="switch"], [role="tab"], [role="menuitem"]') !== null;
}

/** The node address the focused element belongs to (an element of the stage marked data-node="broker-2"). */
function focusedNode(): string | null {
  const el = document.activeElement as HTMLElement | null;
  return el?.closest<HTMLElement>('[data-node]')?.dataset.node ?? null;
}

// ---- Help overlay state: opened by "?" and the header's button --------------------------------

let helpOpen = false;
const helpListeners = new Set<() => void>();
const setHelp = (open: boolean) => {
  if (helpOpen === open) return;
  helpOpen = open;
  for (const listener of helpListeners) listener();
};
export const openHelp = (): void => setHelp(true);
export const closeHelp = (): void => setHelp(false);
export function useHelpOpen(): boolean {
  return useSyncExternalStore((listener) => { helpListeners.add(listener); return () => { helpListeners.delete(listener); }; }, () => helpOpen, () => helpOpen);
}

/** A pending two-key command ("k" waiting for a broker number), and the last thing a shortcut did. */
export interface ShortcutStatus { pending: 'k' | 'r' | null; message: string | null }

const PENDING_MS = 2500;

/**
 * Listens for the shortcuts on the document while mounted. `cluster` is looked up on each key
 * (window.playground.cluster by default), so it may be replaced after a reset.
 */
const windowCluster = (): ShortcutCluster | undefined => (window as { playground?: { cluster?: ShortcutCluster } }).playground?.cluster;

export function useShortcuts(getCluster: () => ShortcutCluster | undefined = windowCluster): ShortcutStatus {
  const [status, setStatus] = useState<ShortcutStatus>({ pending: null, message: null });
  useEffect(() => {
    let pending: 'k' | 'r' | null = null;
    let pendingTimer: ReturnType<typeof setTimeout> | undefined;
    let messageTimer: ReturnType<typeof setTimeout> | undefined;
    const setPending = (next: 'k' | 'r' | null) => {
      pending = next;
      clearTimeout(pendingTimer);
      if (next) pendingTimer = setTimeout(() => setPending(null), PENDING_MS);
      setStatus((s) => ({ ...s, pending: next }));
    };
    const say = (message: string) => {
      clearTimeout(messageTimer);
      messageTimer = setTimeout(() => setStatus((s) => ({ ...s, message: null })), 3000);
      setStatus((s) => ({ ...s, message }));
    };
    const run = (what: string, action: (() => unknown) | undefined) => {
      if (!action) return say(`${what}: not available in this build`);
      say(what);
      Promise.resolve().then(action).catch((error: unknown) => say(`${what} failed: ${error instanceof Error ? error.message : String(error)}`));
    };
    const onNode = (cluster: ShortcutCluster, address: string, verb: 'k' | 'r') => {
      const role = address.replace(/-\d+$/, '');
      const id = Number(address.split('-').pop());
      if (role === 'broker' && verb === 'k') run(`Killed broker ${id}`, cluster.killBroker && (() => cluster.killBroker!(id)));
      else if (role === 'broker') run(`Restarting broker ${id}`, cluster.restartBroker && (() => cluster.restartBroker!(id)));
      else if (role === 'controller' && verb === 'k') run(`Killed controller ${id}`, cluster.killController && (() => cluster.killController!(id)));
      else if (role === 'controller') run(`Restarting controller ${id}`, cluster.restartController && (() => cluster.restartController!(id)));
      // A client application (consumer-N, producer-N) crashes; it has no restart.
      else if ((role === 'consumer' || role === 'producer') && verb === 'k') run(`Killed ${address}`, cluster.killClient && (() => cluster.killClient!(address)));
    };

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (helpOpen || isTypingTarget(event.target)) return;
      const cluster = getCluster();
      const key = event.key;
      if (pending && /^[1-9]$/.test(key)) {
        event.preventDefault();
        const id = Number(key);
        const verb = pending;
        setPending(null);
        if (!cluster) return;
        if (verb === 'k') run(`Killed broker ${id}`, cluster.killBroker && (() => cluster.killBroker!(id)));
        else run(`Restarting broker ${id}`, cluster.restartBroker && (() => cluster.restartBroker!(id)));
        return;
      }
      if (pending && key === 'Escape') {
        setPending(null);
        return;
      }
      if (key === '?') {
        event.preventDefault();
        setPending(null);
        openHelp();
        return;
      }
      if (!cluster) return;
      switch (key) {
        case ' ':
        case 'Spacebar':
          if (isActivatable(event.target)) return;
          event.preventDefault();
          if (cluster.isPaused?.()) run('Playing', cluster.resume);
          else run('Paused', cluster.pause);
          return;
        case '.':
        case 's':
          event.preventDefault();
          run('Stepped one message', () => {
            if (!cluster.isPaused?.()) cluster.pause?.();
            return cluster.step?.();
          });
          return;
        case '+':
        case '=':
        case '-':
        case '_': {
          event.preventDefault();
          const speed = nextSpeed(cluster.speed?.() ?? 1, key === '+' || key === '=' ? 1 : -1);
          run(`Speed ${speed}×`, cluster.setSpeed && (() => cluster.setSpeed!(speed)));
          return;
        }
        case 'k':
        case 'r': {
          event.preventDefault();
          const node = focusedNode();
          if (node) onNode(cluster, node, key);
          else setPending(key);
          return;
        }
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      clearTimeout(pendingTimer);
      clearTimeout(messageTimer);
    };
  }, [getCluster]);
  return status;
}
