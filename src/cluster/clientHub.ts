import type { Address, Clock, Transport } from '../kafka/ports';
import { Inbox } from '../runtime/inbox';
import { wallClock, type Envelope } from '../runtime/messageChannelTransport';

/**
 * The main thread's side of the network: one MessagePort per broker, shared by every client
 * created on the page (each with its own address), as many clients share one machine's NIC.
 * What arrives waits in an Inbox while the playground is paused or for the visual latency,
 * as at every node.
 */
export class ClientHub {
  private readonly ports = new Map<Address, MessagePort>();
  private readonly clients = new Map<Address, (from: Address, message: unknown) => void>();
  private readonly peerDownHandlers = new Map<Address, (peer: Address) => void>();
  /** Brokers across a network cut from the page's clients: traffic both ways is dropped, silently. */
  private readonly blocked = new Set<Address>();
  /** Responses that arrived and wait for play, their latency or a step; per broker port, FIFO. */
  readonly inbox: Inbox<MessagePort, Envelope>;

  constructor(private readonly clock: Clock = wallClock) {
    this.inbox = new Inbox(clock, (envelope) => {
      if (this.blocked.has(envelope.from)) return;
      this.clients.get(envelope.to)?.(envelope.from, envelope.message);
    });
  }

  /** Replaces the brokers the clients cannot reach; an empty list heals. */
  setBlocked(nodes: readonly Address[]): void {
    this.blocked.clear();
    for (const node of nodes) this.blocked.add(node);
  }

  connect(node: Address, port: MessagePort): void {
    this.closePort(node);
    this.ports.set(node, port);
    port.onmessage = (event: MessageEvent<Envelope>) => {
      const envelope = event.data;
      if (!envelope || this.blocked.has(envelope.from)) return;
      this.inbox.arrive(port, envelope);
    };
  }

  /** Closes the port to a broker; what it sent and is not yet delivered is lost with the connection. */
  private closePort(node: Address): void {
    const port = this.ports.get(node);
    if (!port) return;
    port.close();
    this.inbox.dropLink(port);
    this.ports.delete(node);
  }

  /** A broker's worker was terminated: every client's requests to it fail now, as on a reset connection. */
  peerDown(node: Address): void {
    this.closePort(node);
    // No connection reset crosses a cut: the clients' requests to it just time out.
    if (this.blocked.has(node)) return;
    for (const handler of this.peerDownHandlers.values()) handler(node);
  }

  disconnectAll(): void {
    for (const node of [...this.ports.keys()]) this.closePort(node);
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
        const envelope: Envelope = { from: self, to, message, sentAt: this.clock.now() };
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
