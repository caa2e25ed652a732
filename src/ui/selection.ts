import { useSyncExternalStore } from 'react';

/**
 * What the person has picked (an event in the timeline, a row in a panel): the stage and the
 * panels highlight it. UI state only; the cluster store stays fed by ClusterEvents alone.
 */
export interface Highlight {
  /** Node addresses: 'broker-1', 'controller-1000', 'consumer-2', 'producer-1', 'client-3'. */
  nodes: string[];
  topic?: string;
  partition?: number;
  groupId?: string;
  /** A short sentence naming what is selected, for the UI to show. */
  label: string;
}

type Listener = () => void;
let selection: Highlight | null = null;
const listeners = new Set<Listener>();

export function getSelection(): Highlight | null {
  return selection;
}

export function setSelection(h: Highlight | null): void {
  if (h === selection) return;
  selection = h;
  for (const listener of listeners) listener();
}

export function subscribeSelection(listener: Listener): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

export function useSelection(): Highlight | null {
  return useSyncExternalStore(subscribeSelection, getSelection, getSelection);
}
