const EVENT_FLUSH_MS = 16;
const MAX_BATCH = 512;

/**
 * A worker's events go to the host in batches: one postMessage per 16 ms (or per 512 events),
 * not one per event, so a busy node does not flood the page's message queue.
 */
export function eventBatcher<E>(port: MessagePort): { push: (event: E) => void; flush: () => void } {
  let pending: E[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    port.postMessage(pending);
    pending = [];
  };
  const push = (event: E) => {
    pending.push(event);
    if (pending.length >= MAX_BATCH) flush();
    else if (timer === null) timer = setTimeout(flush, EVENT_FLUSH_MS);
  };
  return { push, flush };
}
