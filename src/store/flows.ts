/**
 * What the stage animates: messages and batches between nodes, from message-sent/-delivered
 * events (their send and delivery times), for the stage's one animation loop.
 */
import type { ClusterEvent } from '../cluster/events';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FlowsState {}

export const initialFlowsState = (): FlowsState => ({});

/** A fold over each applied batch: returns only this module's fields (the store merges them in), the same objects when nothing it tracks happened. */
export function applyFlowEvents(previous: FlowsState, events: readonly ClusterEvent[]): FlowsState {
  void previous;
  void events;
  return {};
}
