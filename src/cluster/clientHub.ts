import type { Address, Transport } from '../kafka/ports';
import type { Envelope } from '../runtime/messageChannelTransport';

/**
 * The main thread's side of the network: one MessagePort per broker, shared by every client
 * created on the page (each with its own address), as many clients share one machine's NIC.
 */
export class ClientHub {
  private readonly ports = new Map<Address, MessagePort>();
  private readonly clients = new Map<Address, (from: Address, message: unknown) => void>();
  private readonly peerDownHandlers = new Map<Address, (peer: Address) => void>();
  /** Brokers across a network cut from the page's clients: traffic both ways is dropped, silently. */
  private readonly blocked = new Set<Address>();

  /** Replaces the brokers the clients cannot reach; an empty list heals. */
  setBlocked(nodes: readonly Address[]): void {
    this.blocked.clear();
    for (const node of nodes) this.blocked.add(node);
  }

  connect(node: Address, port: MessagePort): void {
    this.ports.get(node)?.close();
    this.ports.set(node, port);
    port.onmessage = (event: MessageEvent<Envelope>) => {
      const envelope = event.data;
      if (!envelope || this.blocked.has(envelope.from)) return;
      this.clients.get(envelope.to)?.(envelope.from, envelope.message);
    };
  }

  /** A broker's worker was terminated: every client's requests to it fail now, as on a reset connection. */
  peerDown(node: Address): void {
    this.ports.get(node)?.close();
    this.ports.delete(node);
    // No connection reset crosses a cut: the clients' requests to it just time out.
    if (this.blocked.has(node)) return;
    for (const handler of this.peerDownHandlers.values()) handler(node);
  }

  disconnectAll(): void {
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
  }

  transport(self: Address): Transport {
    return {
      self,
      send: (to, message, transfer) => {
        if (this.blocked.has(to)) return;
        const port = this.ports.get(to);
        if (!port) {
          // The broker's worker is down: refused at once, as a connect to a dead host.
          queueMicrotask(() => this.peerDownHandlers.get(self)?.(to));
          return;
        }
        const envelope: Envelope = { from: self, to, message };
        port.postMessage(envelope, transfer ?? []);
      },
      onReceive: (handler) => {
        this.clients.set(self, handler);
      },
      onPeerDown: (handler) => {
        this.peerDownHandlers.set(self, handler);
      },
    };
  }
}
