import { describe, expect, it } from 'vitest';
import { applyEvents, crossesCut, initialClusterState } from './clusterStore';
import { describeCluster } from './selectors';
import type { ClusterEvent } from '../cluster/events';
import { isolateCut } from '../cluster/networkCut';

const nodes = [1, 2, 3, 1000];
const sent = (id: string, from: string, to: string, time = 1): ClusterEvent => ({ type: 'message-sent', time, id, from, to, api: 'Fetch', kind: 'request', bytes: 10 });

describe('the network cut in the store', () => {
  it('keeps the cut from network-changed, shows it in describe(), and forgets it on heal and on reset', () => {
    const cut = isolateCut(null, 3, nodes);
    let state = applyEvents(initialClusterState(), [{ type: 'network-changed', time: 1, cut }]);
    expect(state.network).toEqual(cut);
    expect(describeCluster(state).network).toEqual({ cut, text: '{1,2,1000} | {3}' });
    expect(state.recent.at(-1)?.type).toBe('network-changed');
    state = applyEvents(state, [{ type: 'network-changed', time: 2, cut: null }]);
    expect(describeCluster(state).network).toEqual({ cut: null, text: 'no partition' });
    state = applyEvents(state, [{ type: 'network-changed', time: 3, cut }, { type: 'cluster-reset', time: 4, brokers: [1, 2, 3], controllers: [1000] }]);
    expect(state.network).toBeNull();
  });

  it('drops what is in flight across a new cut, and never counts a message sent across it as in flight', () => {
    const cut = isolateCut(null, 3, nodes);
    let state = applyEvents(initialClusterState(), [sent('a', 'broker-3', 'broker-1'), sent('b', 'broker-2', 'broker-1'), sent('c', 'client-1', 'broker-3')]);
    expect(Object.keys(state.inFlight).sort()).toEqual(['a', 'b', 'c']);
    state = applyEvents(state, [{ type: 'network-changed', time: 2, cut }]);
    expect(Object.keys(state.inFlight)).toEqual(['b']);
    state = applyEvents(state, [sent('d', 'controller-1000', 'broker-3', 3), sent('e', 'client-1', 'broker-1', 3), sent('f', 'broker-3', 'client-1', 3)]);
    expect(Object.keys(state.inFlight).sort()).toEqual(['b', 'e']);
  });

  it('knows which side the clients are on', () => {
    const cut = isolateCut(null, 3, nodes, { clientsWith: 3 });
    expect(crossesCut(cut, 'client-7', 'broker-3')).toBe(false);
    expect(crossesCut(cut, 'broker-1', 'client-7')).toBe(true);
    expect(crossesCut(cut, 'broker-1', 'controller-1000')).toBe(false);
    expect(crossesCut(null, 'broker-1', 'broker-3')).toBe(false);
  });
});
