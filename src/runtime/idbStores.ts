import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { LogStore, MetaStore, StoredBatch } from '../kafka/ports';

interface NodeDB extends DBSchema {
  batches: { key: [string, number]; value: { segmentBase: number; bytes: Uint8Array } };
  partitions: { key: string; value: { name: string } };
  meta: { key: string; value: unknown };
}

export const DB_PREFIX = 'kafka-playground';

/** One IndexedDB database per node, named with the project's prefix so other apps on the origin are untouched. */
export const nodeDatabaseName = (cluster: string, node: string): string => `${DB_PREFIX}:${cluster}:${node}`;

export function openNodeDatabase(name: string): Promise<IDBPDatabase<NodeDB>> {
  return openDB<NodeDB>(name, 1, {
    upgrade(db) {
      db.createObjectStore('batches');
      db.createObjectStore('partitions');
      db.createObjectStore('meta');
    },
  });
}

const all = (partition: string) => IDBKeyRange.bound([partition, -Infinity], [partition, Infinity]);

/**
 * LogStore on IndexedDB: one value per record batch keyed [partition, baseOffset], so a
 * partition reads back in offset order with one range query. An append is one transaction:
 * when it completes, every batch in it is on disk.
 */
export class IdbLogStore implements LogStore {
  constructor(private readonly db: IDBPDatabase<NodeDB>) {}

  async listPartitions(): Promise<string[]> {
    return (await this.db.getAllKeys('partitions')).sort();
  }

  async readPartition(partition: string): Promise<StoredBatch[]> {
    const tx = this.db.transaction('batches', 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(all(partition)), tx.store.getAll(all(partition))]);
    return keys.map((key, i) => ({ baseOffset: key[1], segmentBase: values[i].segmentBase, bytes: values[i].bytes }));
  }

  async append(partition: string, batches: StoredBatch[]): Promise<void> {
    const tx = this.db.transaction(['batches', 'partitions'], 'readwrite');
    const store = tx.objectStore('batches');
    for (const batch of batches) void store.put({ segmentBase: batch.segmentBase, bytes: batch.bytes }, [partition, batch.baseOffset]);
    void tx.objectStore('partitions').put({ name: partition }, partition);
    await tx.done;
  }

  async truncateFrom(partition: string, offset: number): Promise<void> {
    await this.db.delete('batches', IDBKeyRange.bound([partition, offset], [partition, Infinity]));
  }

  async deleteBefore(partition: string, offset: number): Promise<void> {
    await this.db.delete('batches', IDBKeyRange.bound([partition, -Infinity], [partition, offset], false, true));
  }

  async deletePartition(partition: string): Promise<void> {
    const tx = this.db.transaction(['batches', 'partitions'], 'readwrite');
    void tx.objectStore('batches').delete(all(partition));
    void tx.objectStore('partitions').delete(partition);
    await tx.done;
  }
}

export class IdbMetaStore implements MetaStore {
  constructor(private readonly db: IDBPDatabase<NodeDB>) {}
  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('meta', key)) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    await this.db.put('meta', value, key);
  }
  async delete(key: string): Promise<void> {
    await this.db.delete('meta', key);
  }
}

/** Deletes every database of the playground (cluster.reset). */
export async function deleteAllPlaygroundDatabases(): Promise<void> {
  const dbs = await indexedDB.databases();
  await Promise.all(dbs.filter((d) => d.name?.startsWith(`${DB_PREFIX}:`)).map((d) => new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(d.name!);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  })));
}
