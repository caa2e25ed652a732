const EVENT_FLUSH_MS = 50;
const MAX_BATCH = 512;

/**
 * A worker's events go to the host in batches: one postMessage per 50 ms (or per 512 events),
 * not one per event, so a busy node does not flood the page's message queue.
 *
 * `supersede` names the events that report a state rather than a happening (a replica's offsets):
 * a newer one with the same key replaces the pending older one, which nobody would see anyway.
 */
export function eventBatcher<E>(port: MessagePort, supersede?: (event: E) => string | null): { push: (event: E) => void; flush: () => void } {
  let pending: (E | null)[] = [];
  const latest = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    port.postMessage(latest.size > 0 ? pending.filter((e) => e !== null) : pending);
    pending = [];
    latest.clear();
  };
  const push = (event: E) => {
    const key = supersede?.(event) ?? null;
    if (key !== null) {
      const older = latest.get(key);
      if (older !== undefined) pending[older] = null;
      latest.set(key, pending.length);
    }
    pending.push(event);
    if (pending.length >= MAX_BATCH) flush();
    else if (timer === null) timer = setTimeout(flush, EVENT_FLUSH_MS);
  };
  return { push, flush };
}
