import { useId, useState, type FormEvent } from 'react';
import { selectClients, type ClientDescription } from '../store/selectors';
import type { StartProducerOptions } from '../runtime/producerApp';
import { ConsumerForm } from './ConsumerForm';
import { ResultLine, useAction } from './action';
import { useDerived, usePlayground, usePlaygroundStatus } from './context';
import { TopicSelect, useTopicChoice } from './TopicSelect';
import { plural } from './format';
import './time.css';

const ACKS: { value: -1 | 0 | 1; label: string }[] = [
  { value: -1, label: 'all (-1): every in-sync replica' },
  { value: 1, label: '1: the leader' },
  { value: 0, label: '0: no reply' },
];
const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/**
 * The keys field: "alice, bob" is a list used in turn, "5" is five distinct keys (key-0..key-4),
 * empty is no key (KafkaJS's default partitioner then spreads records round-robin).
 */
export function parseKeys(text: string): string[] | number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(',').map((k) => k.trim()).filter(Boolean);
}

/** Start a producer application in its own Web Worker: cluster.startProducer from a form. */
function StartProducerForm() {
  const playground = usePlayground();
  const running = usePlaygroundStatus().kind === 'running';
  const { topics, topic, choose } = useTopicChoice();
  const ids = useId();
  const [rate, setRate] = useState('2');
  const [keys, setKeys] = useState('alice, bob, carol');
  const [acks, setAcks] = useState<-1 | 0 | 1>(-1);
  const [idempotent, setIdempotent] = useState(false);
  const [compression, setCompression] = useState<(typeof COMPRESSIONS)[number]>('none');
  const [linger, setLinger] = useState('0');
  const [open, setOpen] = useState(true);
  const { busy, result, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const options: StartProducerOptions = {
        topic, ratePerSec: Number(rate), keys: parseKeys(keys), acks, idempotent, compression, lingerMs: Number(linger) || 0,
      };
      const id = await playground.startProducer(options);
      return { ok: true, text: `Started ${id}: ${options.ratePerSec} records a second of cluster time to ${topic}, acks=${acks === -1 ? 'all' : acks}${idempotent ? ', idempotent' : ''}.` };
    });
  };

  return (
    <details className="producer-form-box" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Start a producer application</summary>
      <form onSubmit={submit} className="form producer-form" aria-label="Start a producer">
        <div className="row">
          <TopicSelect topics={topics} topic={topic} onChange={choose} />
          <label className="narrow" title="Records per second of cluster time: the producer slows down and stops with the clock">
            <span>Records/s</span>
            <input type="number" min={0.1} max={5000} step="any" value={rate} onChange={(e) => setRate(e.target.value)} required />
          </label>
        </div>
        <label>
          <span>Keys <span className="muted">(a list, a number of distinct keys, or empty for none)</span></span>
          <input value={keys} onChange={(e) => setKeys(e.target.value)} placeholder="no key: round-robin" list={`${ids}-keys`} />
          <datalist id={`${ids}-keys`}><option value="alice, bob, carol" /><option value="10" /></datalist>
          <span className="field-note">A key always goes to murmur2(key) mod partitions; no key: KafkaJS spreads records round-robin (Java: sticky, KIP-480)</span>
        </label>
        <div className="row">
          <label>
            <span><code>acks</code></span>
            <select value={acks} onChange={(e) => setAcks(Number(e.target.value) as -1 | 0 | 1)}>
              {ACKS.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
            </select>
            <span className="field-note">Default -1 (all) in KafkaJS and Java</span>
          </label>
          <label>
            <span><code>compression.type</code></span>
            <select value={compression} onChange={(e) => setCompression(e.target.value as (typeof COMPRESSIONS)[number])}>
              {COMPRESSIONS.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
        </div>
        <div className="row row-end">
          <label className="checkbox-line" title="enable.idempotence: a producer id and per-partition sequence numbers, so a retry is never written twice; needs acks=all">
            <input type="checkbox" checked={idempotent} onChange={(e) => setIdempotent(e.target.checked)} />
            <span>Idempotent <code>enable.idempotence</code> <span className="muted">(KafkaJS default false; Java true since Kafka 3.0)</span></span>
          </label>
          <label className="narrow" title="linger.ms: wait this long for more records before sending a batch. KafkaJS has no linger.ms; this client adds Java's accumulator">
            <span><code>linger.ms</code> <span className="muted">(not in KafkaJS)</span></span>
            <input type="number" min={0} step={5} value={linger} onChange={(e) => setLinger(e.target.value)} />
          </label>
        </div>
        <button type="submit" disabled={busy || !running || !topic} title="cluster.startProducer: a producer application in its own Web Worker">
          {busy ? 'Starting…' : 'Start producer'}
        </button>
        <ResultLine result={result} />
      </form>
    </details>
  );
}

function what(client: ClientDescription): string {
  if (client.kind === 'producer') {
    return `→ ${client.topics.join(', ')} · ${plural(client.acknowledged, 'record')} acknowledged`;
  }
  return `group ${client.groupId ?? '?'} · ${client.topics.join(', ')} · ${plural(client.processed, 'record')} processed`;
}

function ClientRow({ client }: { client: ClientDescription }) {
  const playground = usePlayground();
  const [error, setError] = useState<string | null>(null);
  const running = client.status === 'running';
  const stop = () => {
    setError(null);
    playground.stopClient(client.id).catch((e: unknown) => setError(String(e)));
  };
  const kill = () => {
    setError(null);
    try {
      playground.killClient(client.id);
    } catch (e) {
      setError(String(e));
    }
  };
  return (
    <li className={running ? '' : 'client-ended'}>
      <span className="client-id">{client.id}</span>
      <span className="client-kind">{client.kind}</span>
      <span className="client-what">
        {what(client)}
        {client.kind === 'producer' && client.failed > 0 && <span className="client-failed">, {client.failed} failed</span>}
        {!running && ` · ${client.status}`}
      </span>
      {running && (
        <>
          <button type="button" aria-label={`Stop ${client.id}`} onClick={stop}
            title={client.kind === 'consumer' ? 'Stop cleanly: it commits and sends LeaveGroup, so its group rebalances at once' : 'Stop cleanly: it finishes the sends in flight and disconnects'}>
            Stop
          </button>
          <button type="button" className="kill" aria-label={`Kill ${client.id}`} onClick={kill}
            title={client.kind === 'consumer' ? 'Crash it (worker.terminate()): its group notices only after session.timeout.ms' : 'Crash it (worker.terminate()): what it had not had acknowledged is lost'}>
            Kill
          </button>
        </>
      )}
      {error && <span className="result error" role="alert">{error}</span>}
    </li>
  );
}

/** Client applications, each in its own Web Worker: the list with Stop and Kill, and the forms to add one. */
export function ClientsPanel() {
  const clients = useDerived((s) => [s.clients], selectClients);
  const running = clients.filter((c) => c.status === 'running');
  const ended = clients.filter((c) => c.status !== 'running').slice(-5);
  return (
    <section className="panel clients-panel" aria-labelledby="clients-title">
      <h2 id="clients-title">Producer and consumer applications</h2>
      {clients.length === 0
        ? <p className="muted small">None yet. Each one you start runs in its own Web Worker, as a separate process would.</p>
        : (
          <ul className="clients-list" aria-label="Client applications">
            {[...running, ...ended].map((c) => <ClientRow key={c.id} client={c} />)}
          </ul>
        )}
      <StartProducerForm />
      <ConsumerForm />
    </section>
  );
}
