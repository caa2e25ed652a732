/**
 * A bench worker: measures IndexedDB and MessageChannel from inside a Worker, where the
 * playground's brokers and controllers run. Commands come from the limits page (bench.html).
 */
import { deleteDb, echoOn, idbCommit, idbWrite, openDb, roundTrips } from './measure';
import type { WorkerCommand, WorkerReply } from './protocol';

// Typed as a Window under the project's DOM lib; in a worker, postMessage(message) has no target origin.
const scope = self;
let pingPort: MessagePort | null = null;

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'idb-write':
      return idbWrite(command.params);
    case 'idb-commit':
      return idbCommit(command.dbName, command.n, command.valueBytes);
    case 'delete-db':
      return deleteDb(command.dbName);
    case 'open-db': {
      const db = await openDb(command.dbName);
      db.close();
      return null;
    }
    case 'echo-port':
      echoOn(command.port);
      return null;
    case 'ping-port':
      pingPort = command.port;
      return null;
    case 'rtt':
      if (!pingPort) throw new Error('no ping port');
      return roundTrips(pingPort, command.n, command.bytes, command.transfer);
  }
}

scope.onmessage = (event: MessageEvent<WorkerCommand>) => {
  const command = event.data;
  handle(command).then(
    (result) => scope.postMessage({ id: command.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) => scope.postMessage({ id: command.id, ok: false, error: String((error as Error)?.message ?? error) } satisfies WorkerReply),
  );
};
