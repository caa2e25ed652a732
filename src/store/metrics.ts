/**
 * Metrics under Kafka's JMX names, computed from events, and the event the user selected in
 * the timeline (so every view can highlight what it touched).
 */
import type { ClusterEvent } from '../cluster/events';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MetricsState {}

export const initialMetricsState = (): MetricsState => ({});

/** A fold over each applied batch: returns only this module's fields (the store merges them in), the same objects when nothing it tracks happened. */
export function applyMetricEvents(previous: MetricsState, events: readonly ClusterEvent[]): MetricsState {
  void previous;
  void events;
  return {};
}
