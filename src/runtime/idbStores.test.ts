import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbLogStore, IdbMetaStore, deleteAllPlaygroundDatabases, nodeDatabaseName, openNodeDatabase } from './idbStores';
import { UnifiedLog } from '../kafka/storage/unifiedLog';
import { encodeBatch } from '../kafka/storage/recordBatch';

const text = new TextEncoder();
const batchOf = (values: string[]) => encodeBatch({ records: values.map((v) => ({ key: text.encode('k'), value: text.encode(v), timestamp: 5 })) });

describe('IndexedDB stores (fake-indexeddb)', () => {
  it('keeps a partition log across "restarts" (a new connection) and recovers it', async () => {
    const name = nodeDatabaseName('test', 'broker-1');
    const db = await openNodeDatabase(name);
    const log = UnifiedLog.empty('orders', 2, new IdbLogStore(db));
    for (let i = 0; i < 20; i++) await log.appendAsLeader(await batchOf([`a${i}`, `b${i}`]), 0);
    db.close();

    const reopened = await openNodeDatabase(name);
    const store = new IdbLogStore(reopened);
    expect(await store.listPartitions()).toEqual(['orders-2']);
    const { log: recovered, result } = await UnifiedLog.recover('orders', 2, store);
    expect(result.batches).toBe(20);
    expect(recovered.logEndOffset).toBe(40);
    reopened.close();
  });

  it('orders batches numerically, truncates and deletes ranges per partition only', async () => {
    const db = await openNodeDatabase(nodeDatabaseName('test', 'broker-2'));
    const store = new IdbLogStore(db);
    const bytes = await batchOf(['x']);
    await store.append('t-0', [2, 10, 1].map((o) => ({ baseOffset: o, segmentBase: 0, bytes })));
    await store.append('t-1', [{ baseOffset: 0, segmentBase: 0, bytes }]);
    expect((await store.readPartition('t-0')).map((b) => b.baseOffset)).toEqual([1, 2, 10]);
    await store.truncateFrom('t-0', 2);
    expect((await store.readPartition('t-0')).map((b) => b.baseOffset)).toEqual([1]);
    await store.deletePartition('t-0');
    expect(await store.listPartitions()).toEqual(['t-1']);
    expect((await store.readPartition('t-1')).length).toBe(1);
    db.close();
  });

  it('stores small metadata and deletes only the playground\'s databases on reset', async () => {
    const db = await openNodeDatabase(nodeDatabaseName('test', 'controller-1000'));
    const meta = new IdbMetaStore(db);
    await meta.put('quorum-epoch', 3);
    expect(await meta.get('quorum-epoch')).toBe(3);
    db.close();
    const other = indexedDB.open('some-other-app');
    await new Promise((resolve) => { other.onsuccess = resolve; });
    other.result.close();
    await deleteAllPlaygroundDatabases();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toContain('some-other-app');
    expect(names.some((n) => n?.startsWith('kafka-playground:'))).toBe(false);
  });
});
