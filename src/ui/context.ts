import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';
import type { Playground, PlaygroundStatus } from '../playground';
import type { ClusterState, ClusterStore } from '../store/clusterStore';
import { throttledView, type StateSource } from './liveView';

export const PlaygroundContext = createContext<Playground | null>(null);

export function usePlayground(): Playground {
  const playground = useContext(PlaygroundContext);
  if (!playground) throw new Error('usePlayground needs a <PlaygroundContext.Provider>');
  return playground;
}

/** The view of the store a part of the page reads (LiveRegion gives each panel its own); none: the page's throttled view. */
export const ViewContext = createContext<StateSource<ClusterState> | null>(null);
const pageViews = new WeakMap<ClusterStore, StateSource<ClusterState>>();

/** The page's one throttled view of a store (liveView.ts): what every component follows. */
export function pageView(store: ClusterStore): StateSource<ClusterState> {
  let view = pageViews.get(store);
  if (!view) pageViews.set(store, (view = throttledView<ClusterState>(store)));
  return view;
}

export function useView(): StateSource<ClusterState> {
  const store = usePlayground().store;
  return useContext(ViewContext) ?? pageView(store);
}

/**
 * Reads the cluster state, as the UI's view republishes it (at most every UI_REFRESH_MS, and every
 * UI_HIDDEN_REFRESH_MS while this part of the page is off screen). The state object is replaced on every event
 * batch, so a selector must return a part of it (a stable reference) or a primitive; for
 * anything derived use useDerived.
 */
export function useCluster<T>(selector: (state: ClusterState) => T): T {
  const view = useView();
  return useSyncExternalStore(view.subscribe, () => selector(view.getState()));
}

/**
 * A value derived from the state, recomputed only when one of the parts `inputs` picks
 * changes (compared by reference), so a new array is not a new render every batch.
 */
export function useDerived<T>(inputs: (state: ClusterState) => readonly unknown[], compute: (state: ClusterState) => T): T {
  const selector = useMemo(() => {
    let last: readonly unknown[] | null = null;
    let value: T;
    return (state: ClusterState): T => {
      const next = inputs(state);
      if (!last || next.length !== last.length || next.some((v, i) => v !== last![i])) {
        last = next;
        value = compute(state);
      }
      return value;
    };
    // The callers pass inline functions that only read the state: build the selector once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return useCluster(selector);
}

export function usePlaygroundStatus(): PlaygroundStatus {
  const playground = usePlayground();
  return useSyncExternalStore(
    (onChange) => playground.onStatus(onChange),
    () => playground.status,
  );
}

/** Errors from start() that main.tsx catches, for the header to show. */
type Listener = () => void;
let startError: string | null = null;
const startErrorListeners = new Set<Listener>();

export function reportStartError(error: unknown): void {
  startError = error instanceof Error ? error.message : String(error);
  for (const listener of startErrorListeners) listener();
}

export function clearStartError(): void {
  startError = null;
  for (const listener of startErrorListeners) listener();
}

export function useStartError(): string | null {
  return useSyncExternalStore(
    (onChange) => { startErrorListeners.add(onChange); return () => startErrorListeners.delete(onChange); },
    () => startError,
  );
}
