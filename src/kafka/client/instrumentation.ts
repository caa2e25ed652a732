/**
 * KafkaJS's instrumentation events: `client.on(client.events.X, listener)` returns a remover, and
 * a listener receives `{ id, type, timestamp, payload }`. A throwing listener is ignored, as in
 * KafkaJS (it must not break the client).
 */
import type { Clock } from '../ports';

export interface InstrumentationEvent<T = unknown> {
  id: string;
  type: string;
  timestamp: number;
  payload: T;
}

export type InstrumentationListener = (event: InstrumentationEvent<any>) => void;

export class InstrumentationEmitter {
  private readonly listeners = new Map<string, Set<InstrumentationListener>>();
  private nextId = 0;

  constructor(private readonly clock: Clock, private readonly known: readonly string[]) {}

  on(type: string, listener: InstrumentationListener): () => void {
    if (!this.known.includes(type)) {
      throw new TypeError(`Event name should be one of ${this.known.join(', ')}, got ${String(type)}`);
    }
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(type: string, payload: unknown = null): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const event: InstrumentationEvent = { id: String(this.nextId++), type, timestamp: this.clock.now(), payload };
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // as KafkaJS: a listener's failure does not reach the client
      }
    }
  }
}

/** The logger KafkaJS clients return from `.logger()`; here it writes to the node's event log. */
export interface Logger {
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  namespace(name: string): Logger;
}

export function createLogger(write: (level: 'info' | 'warn' | 'error', message: string) => void, prefix = ''): Logger {
  const format = (message: string, extra?: object) =>
    `${prefix ? `[${prefix}] ` : ''}${message}${extra && Object.keys(extra).length ? ` ${safeJson(extra)}` : ''}`;
  return {
    info: (message, extra) => write('info', format(message, extra)),
    warn: (message, extra) => write('warn', format(message, extra)),
    error: (message, extra) => write('error', format(message, extra)),
    debug: () => {},
    namespace: (name) => createLogger(write, prefix ? `${prefix}:${name}` : name),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
