import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  BROKER_CONFIG_DEFS, CONFIG_SOURCES, PLAYGROUND_DEFAULT_NOTES, TOPIC_CONFIGS, configSourceName, type TopicConfigDef,
} from '../kafka/config';
import { ConfigResourceTypes, type Admin, type ConfigEntries } from '../kafka/client/admin';
import { lazyConnected } from './client';
import { useCluster, useDerived, usePlayground, usePlaygroundStatus } from './context';
import { ResultLine, type Result } from './action';
import { describeError } from './format';
import './configs.css';

/** One connected admin client for the panel (kafka-configs.sh, in effect). */
function useAdmin(): () => Promise<Admin> {
  const playground = usePlayground();
  return useMemo(() => lazyConnected(() => playground.kafka({ clientId: 'playground-ui-configs' }).admin()), [playground]);
}

const SOURCE_TEXT: Record<string, string> = {
  TOPIC_CONFIG: 'Set on this topic (DYNAMIC_TOPIC_CONFIG in the Java Admin): a ConfigRecord in the metadata log',
  STATIC_BROKER_CONFIG: "From the broker's server.properties",
  DEFAULT_CONFIG: "Kafka's default: nothing sets it",
};

function SourceTag({ source }: { source: number }) {
  const name = configSourceName(source);
  return <code className={`config-source source-${name.toLowerCase()}`} title={SOURCE_TEXT[name]}>{name}</code>;
}

// ---- Topic configs ----------------------------------------------------------------------------

interface Shown { name: string; value: string | null; source: number; brokerValue: string | null }

/**
 * What to show for each config: DescribeConfigs' answer (from a broker's image), with the value
 * and source the store's metadata holds now. The store replays the active controller's records,
 * so it may be a moment ahead of the broker that answered: its committed overrides win.
 */
function shownConfigs(entries: ConfigEntries[], overrides: Record<string, string>): Shown[] {
  return entries.map((entry) => {
    const underneath = entry.configSynonyms.find((s) => s.configSource !== CONFIG_SOURCES.TOPIC_CONFIG);
    const brokerValue = entry.configSynonyms.find((s) => s.configSource === CONFIG_SOURCES.STATIC_BROKER_CONFIG)?.configValue ?? null;
    const override = overrides[entry.configName];
    if (override !== undefined) return { name: entry.configName, value: override, source: CONFIG_SOURCES.TOPIC_CONFIG, brokerValue };
    if (entry.configSource === CONFIG_SOURCES.TOPIC_CONFIG && underneath) return { name: entry.configName, value: underneath.configValue, source: underneath.configSource, brokerValue };
    return { name: entry.configName, value: entry.configValue, source: entry.configSource, brokerValue };
  });
}

function ValueInput({ name, def, value, onChange, onKeyDown }: {
  name: string; def: TopicConfigDef; value: string; onChange: (value: string) => void; onKeyDown: (e: KeyboardEvent) => void;
}) {
  const label = `${name} value`;
  const options = def.type === 'BOOLEAN' ? ['false', 'true'] : def.type !== 'LIST' ? def.validValues : undefined;
  if (options) {
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} onKeyDown={onKeyDown}>
        {!options.includes(value) && <option value={value}>{value}</option>}
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  }
  // Free text even for numbers: Kafka, not the form, says what is wrong with a value.
  return <input aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} onKeyDown={onKeyDown} spellCheck={false} autoComplete="off" />;
}

function TopicConfigRow({ topic, shown, busy, result, onAlter }: {
  topic: string; shown: Shown; busy: boolean; result: Result | null;
  onAlter: (name: string, operation: 'SET' | 'DELETE', value: string | null) => Promise<boolean>;
}) {
  const def = TOPIC_CONFIGS[shown.name];
  const current = shown.value ?? '';
  const [draft, setDraft] = useState<string | null>(null);
  // A change that arrives from elsewhere (another client, a reset) drops a draft equal to it.
  useEffect(() => { setDraft((d) => (d === current ? null : d)); }, [current]);
  const editing = draft !== null && draft !== current;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    if (await onAlter(shown.name, 'SET', draft)) setDraft(null);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && editing) {
      e.stopPropagation();
      setDraft(null);
    }
  };
  const isOverride = shown.source === CONFIG_SOURCES.TOPIC_CONFIG;
  return (
    <>
    <tr className={isOverride ? 'config-row is-override' : 'config-row'} data-config={shown.name}>
      <th scope="row">
        <code className="config-name">{shown.name}</code>
        {def.appliedBy
          ? <span className="effect applied" title={`Applied here by the ${def.appliedBy}`}>applied here</span>
          : <span className="effect stored" title="Stored in the metadata log and described, but nothing in the playground acts on it yet">stored only</span>}
        <div className="config-doc">{def.doc}</div>
      </th>
      <td className="config-value">
        <form onSubmit={submit} className="config-edit" aria-label={`Edit ${shown.name} of ${topic}`}>
          <ValueInput name={shown.name} def={def} value={draft ?? current} onChange={setDraft} onKeyDown={onKeyDown} />
          {editing && (
            <span className="config-actions">
              <button type="submit" className="small-button primary" disabled={busy}>Set</button>
              <button type="button" className="small-button" onClick={() => setDraft(null)}>Cancel</button>
            </span>
          )}
          {!editing && isOverride && (
            <button type="button" className="small-button" disabled={busy} onClick={() => void onAlter(shown.name, 'DELETE', null)}
              title={`kafka-configs.sh --alter --delete-config ${shown.name}: remove the override, back to ${shown.brokerValue !== null ? "the broker's setting" : "Kafka's default"}`}>
              Reset
            </button>
          )}
        </form>
        <div className="config-default">
          default <code>{def.default}</code>
          {shown.brokerValue !== null && <>; broker <code>{shown.brokerValue}</code></>}
        </div>
      </td>
      <td><SourceTag source={shown.source} /></td>
    </tr>
    {result && (
      <tr className="config-result"><td colSpan={3}><ResultLine result={result} /></td></tr>
    )}
    </>
  );
}

function TopicConfigs() {
  const admin = useAdmin();
  const running = usePlaygroundStatus().kind === 'running';
  const topics = useDerived((s) => [s.metadata], (s) => [...s.metadata.topics.keys()].sort((a, b) => Number(a.startsWith('__')) - Number(b.startsWith('__')) || a.localeCompare(b)));
  const [picked, setPicked] = useState<string | null>(null);
  const topic = picked !== null && topics.includes(picked) ? picked : (topics.find((t) => !t.startsWith('__')) ?? topics[0] ?? null);
  const overrides = useCluster((s) => (topic ? s.metadata.topics.get(topic)?.configs : undefined));
  const [described, setDescribed] = useState<{ topic: string; entries: ConfigEntries[] } | { topic: string; error: Result } | null>(null);
  const [validateOnly, setValidateOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ name: string; result: Result } | null>(null);

  // DescribeConfigs again whenever the topic's overrides change (a ConfigRecord arrived).
  useEffect(() => {
    if (!topic || !running) return;
    let cancelled = false;
    admin()
      .then((a) => a.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: true }))
      .then((r) => { if (!cancelled) setDescribed({ topic, entries: r.resources[0]?.configEntries ?? [] }); })
      .catch((error: unknown) => { if (!cancelled) setDescribed({ topic, error: { ok: false, ...describeError(error) } }); });
    return () => { cancelled = true; };
  }, [admin, topic, overrides, running]);
  useEffect(() => setResult(null), [topic]);

  const alter = async (name: string, operation: 'SET' | 'DELETE', value: string | null): Promise<boolean> => {
    if (!topic) return false;
    setBusy(true);
    setResult(null);
    try {
      await (await admin()).incrementalAlterConfigs({ validateOnly, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name, value, operation }] }] });
      const what = operation === 'SET' ? `${name}=${value}` : `${name} back to its default`;
      setResult({
        name,
        result: {
          ok: true,
          text: validateOnly
            ? `Valid: ${what} (validateOnly: the controller checked it and wrote nothing).`
            : `${operation === 'SET' ? 'Set' : 'Reset'} ${what} on ${topic}: the controller wrote a ConfigRecord; each broker applies it as it replays the metadata log.`,
        },
      });
      return !validateOnly;
    } catch (error) {
      setResult({ name, result: { ok: false, ...describeError(error) } });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const entries = described && described.topic === topic && 'entries' in described ? described.entries : null;
  const shown = entries ? shownConfigs(entries, overrides ?? {}) : [];
  return (
    <div>
      <div className="configs-toolbar">
        <label>
          <span>Topic</span>{' '}
          <select value={topic ?? ''} onChange={(e) => setPicked(e.target.value)} disabled={topics.length === 0}>
            {topics.length === 0 && <option value="">no topics yet</option>}
            {topics.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label className="checkbox" title="IncrementalAlterConfigs with validateOnly: the controller checks the change and writes nothing">
          <input type="checkbox" checked={validateOnly} onChange={(e) => setValidateOnly(e.target.checked)} /> validateOnly
        </label>
      </div>
      <p className="intro small">
        As <code>kafka-configs.sh --describe</code> shows them: a broker answers DescribeConfigs. Edit a value and press Set (or Enter):
        IncrementalAlterConfigs goes to the active controller, which validates it. <span className="effect applied">applied here</span> configs change
        what the cluster does; the others are only stored.
      </p>
      {described && described.topic === topic && 'error' in described && <ResultLine result={described.error} />}
      {topic && !entries && !(described && 'error' in described && described.topic === topic) && <p className="muted small">{running ? 'Asking a broker (DescribeConfigs)…' : 'Once the cluster is running.'}</p>}
      {entries && (
        <div className="table-scroll">
          <table className="configs-table" aria-label={`Configs of topic ${topic}`}>
            <thead>
              <tr><th scope="col">Config</th><th scope="col">Value</th><th scope="col">Source</th></tr>
            </thead>
            <tbody>
              {shown.filter((s) => TOPIC_CONFIGS[s.name]).map((s) => (
                <TopicConfigRow key={`${topic}/${s.name}`} topic={topic!} shown={s} busy={busy} onAlter={alter} result={result?.name === s.name ? result.result : null} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

// ---- Broker configs (read-only) ----------------------------------------------------------------

function BrokerConfigs() {
  const admin = useAdmin();
  const running = usePlaygroundStatus().kind === 'running';
  const speed = useCluster((s) => s.speed);
  const brokers = useDerived((s) => [s.nodes], (s) => Object.values(s.nodes).filter((n) => n.role === 'broker').sort((a, b) => a.id - b.id).map((n) => ({ id: n.id, alive: n.alive })));
  const [picked, setPicked] = useState<number | null>(null);
  const broker = picked !== null && brokers.some((b) => b.id === picked && b.alive) ? picked : (brokers.find((b) => b.alive)?.id ?? null);
  const [described, setDescribed] = useState<{ broker: number; entries: ConfigEntries[] } | { broker: number; error: Result } | null>(null);

  useEffect(() => {
    if (broker === null || !running) return;
    let cancelled = false;
    admin()
      .then((a) => a.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker) }], includeSynonyms: true }))
      .then((r) => { if (!cancelled) setDescribed({ broker, entries: r.resources[0]?.configEntries ?? [] }); })
      .catch((error: unknown) => { if (!cancelled) setDescribed({ broker, error: { ok: false, ...describeError(error) } }); });
    return () => { cancelled = true; };
  }, [admin, broker, running]);

  const entries = described && described.broker === broker && 'entries' in described ? described.entries : null;
  const defs = [...BROKER_CONFIG_DEFS].sort((a, b) => Number(!!b.timeout) - Number(!!a.timeout));
  return (
    <div>
      <div className="configs-toolbar">
        <label>
          <span>Broker</span>{' '}
          <select value={broker ?? ''} onChange={(e) => setPicked(Number(e.target.value))} disabled={brokers.length === 0}>
            {brokers.map((b) => <option key={b.id} value={b.id} disabled={!b.alive}>broker {b.id}{b.alive ? '' : ' (down)'}</option>)}
          </select>
        </label>
      </div>
      <p className="intro small">
        <code>kafka-configs.sh --entity-type brokers --entity-name {broker ?? 'N'} --describe</code>, answered by that broker. Read-only here: the playground&apos;s
        brokers have only static configs (server.properties). Durations run on the cluster clock: at {speed}× a 3000 ms timeout
        takes {speed > 0 ? `${Math.round(3000 / speed)} ms` : 'forever (paused)'} of wall time.
      </p>
      {described && described.broker === broker && 'error' in described && <ResultLine result={described.error} />}
      {entries && (
        <ul className="broker-configs" aria-label={`Configs of broker ${broker}`}>
          {defs.map((def) => {
            const entry = entries.find((e) => e.configName === def.name);
            if (!entry) return null;
            const note = PLAYGROUND_DEFAULT_NOTES[def.name] ?? PLAYGROUND_DEFAULT_NOTES[def.key];
            // A note that explains itself replaces the doc; a bare "X here; Kafka's default is Y" goes after it.
            const text = note && note.includes('. ') ? <span className="playground-note">{note}.</span>
              : <>{def.doc}{note && <> <span className="playground-note">{note}.</span></>}</>;
            return (
              <li key={def.name} data-config={def.name} className={note ? 'broker-config differs' : 'broker-config'}>
                <div className="bc-head">
                  <code className="config-name">{def.name}</code>
                  {def.timeout && <span className="effect scaled" title="A duration on the cluster clock: it scales with the speed">scales with speed</span>}
                  <SourceTag source={entry.configSource} />
                </div>
                <div className="bc-values">
                  here <code className="bc-value">{entry.configValue ?? 'null'}</code>
                  {def.kafkaDefault !== undefined && <> · Kafka&apos;s default <code>{def.kafkaDefault ?? 'null'}</code></>}
                </div>
                <div className="config-doc">{text}</div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

// ---- Client settings: a reference, KafkaJS beside Java ----------------------------------------

interface ClientSetting { name: string; java: string; kafkajs: string; kafkajsOption: string; meaning: string; differs?: boolean }

const PRODUCER_SETTINGS: readonly ClientSetting[] = [
  { name: 'acks', java: 'all (since 3.0; 1 before)', kafkajs: '-1 (all)', kafkajsOption: 'send({ acks })', meaning: 'How many replicas must have a write before it is acknowledged: 0 none, 1 the leader, all every in-sync replica (and at least min.insync.replicas).' },
  { name: 'enable.idempotence', java: 'true (since 3.0)', kafkajs: 'false', kafkajsOption: 'producer({ idempotent })', meaning: 'Producer id and sequence numbers on every batch, so a retried batch is written once (OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER).', differs: true },
  { name: 'linger.ms', java: '5 (since 4.0; 0 before)', kafkajs: 'none: each send() is sent at once', kafkajsOption: '—', meaning: 'How long the Java producer waits to fill a batch before sending it.', differs: true },
  { name: 'batch.size', java: '16384', kafkajs: 'none: one batch per partition per send()', kafkajsOption: '—', meaning: 'The most bytes the Java producer puts in one partition\'s batch.', differs: true },
  { name: 'compression.type', java: 'none', kafkajs: 'None', kafkajsOption: 'send({ compression: CompressionTypes.GZIP })', meaning: 'The codec of each record batch: none, gzip, snappy, lz4, zstd. The broker stores it as sent (topic compression.type=producer).' },
  { name: 'partitioner (no key)', java: 'sticky: a batch per partition, then the next (KIP-480)', kafkajs: 'round-robin, record by record', kafkajsOption: 'producer({ createPartitioner })', meaning: 'Where a record without a key goes. With a key both use murmur2(key) mod partitions, so the same key lands on the same partition.', differs: true },
];

const CONSUMER_SETTINGS: readonly ClientSetting[] = [
  { name: 'session.timeout.ms', java: '45000 (since 3.0, KIP-735)', kafkajs: '30000', kafkajsOption: 'consumer({ sessionTimeout })', meaning: 'A member without a heartbeat for this long is removed from the group and its partitions are reassigned. Must lie within the brokers\' group.min/max.session.timeout.ms.', differs: true },
  { name: 'heartbeat.interval.ms', java: '3000', kafkajs: '3000', kafkajsOption: 'consumer({ heartbeatInterval })', meaning: 'How often a member heartbeats to the group coordinator; a heartbeat answered REBALANCE_IN_PROGRESS makes it rejoin.' },
  { name: 'auto.offset.reset', java: 'latest', kafkajs: 'latest (fromBeginning: false)', kafkajsOption: 'subscribe({ fromBeginning })', meaning: 'Where a group with no committed offset starts: earliest (the log start) or latest (the high watermark).' },
  { name: 'partition.assignment.strategy', java: '[range, cooperative-sticky] (since 3.0)', kafkajs: '[RoundRobinAssigner]', kafkajsOption: 'consumer({ partitionAssigners })', meaning: 'The assignors a member offers in JoinGroup; the group uses the first all members support, and the leader runs it.', differs: true },
  { name: 'enable.auto.commit', java: 'true, every 5000 ms', kafkajs: 'true, after each batch is processed', kafkajsOption: 'run({ autoCommit, autoCommitInterval })', meaning: 'Committing consumed offsets with OffsetCommit; a new owner of a partition starts from its last commit.', differs: true },
];

function ClientSettings({ settings, kind }: { settings: readonly ClientSetting[]; kind: 'producer' | 'consumer' }) {
  return (
    <div>
      <p className="intro small">
        Kafka&apos;s {kind} settings, with the defaults of the Java client (Kafka 3.0+) and of KafkaJS, which the playground&apos;s clients follow.
        Rows marked <span className="differs-tag">differs</span> behave differently out of the box. Set them per {kind} application in the Clients panel, or in a script.
      </p>
      <div className="table-scroll">
        <table className="configs-table client-settings" aria-label={`${kind === 'producer' ? 'Producer' : 'Consumer'} settings`}>
          <thead>
            <tr><th scope="col">Setting</th><th scope="col">Java default</th><th scope="col">KafkaJS default</th></tr>
          </thead>
          <tbody>
            {settings.map((s) => (
              <tr key={s.name} data-config={s.name} className={s.differs ? 'config-row differs' : 'config-row'}>
                <th scope="row">
                  <code className="config-name">{s.name}</code>{s.differs && <span className="differs-tag">differs</span>}
                  <div className="config-doc">{s.meaning}</div>
                </th>
                <td><code>{s.java}</code></td>
                <td><code>{s.kafkajs}</code>{s.kafkajsOption !== '—' && <div className="small muted"><code>{s.kafkajsOption}</code></div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

// ---- The panel ----------------------------------------------------------------------------------

const TABS = [
  { id: 'topic', label: 'Topic' },
  { id: 'broker', label: 'Broker' },
  { id: 'producer', label: 'Producer' },
  { id: 'consumer', label: 'Consumer' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/**
 * Configs: a topic's configs, editable in place (DescribeConfigs / IncrementalAlterConfigs), a
 * broker's static configs and timeouts, and the producer and consumer settings with Kafka's
 * Java defaults beside KafkaJS's.
 */
export function ConfigsPanel() {
  const [tab, setTab] = useState<TabId>('topic');
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length
      : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next].id);
    tabRefs.current[TABS[next].id]?.focus();
  };
  return (
    <section className="panel configs-panel" aria-labelledby="configs-title">
      <div className="panel-head">
        <h2 id="configs-title">Configs</h2>
        <div className="config-tabs" role="tablist" aria-label="Which configs" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button key={t.id} ref={(el) => { tabRefs.current[t.id] = el; }} type="button" role="tab" id={`configs-tab-${t.id}`}
              aria-selected={tab === t.id} aria-controls={`configs-panel-${t.id}`} tabIndex={tab === t.id ? 0 : -1}
              className={tab === t.id ? 'config-tab active' : 'config-tab'} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
        </div>
      </div>
      <div role="tabpanel" id={`configs-panel-${tab}`} aria-labelledby={`configs-tab-${tab}`}>
        {tab === 'topic' && <TopicConfigs />}
        {tab === 'broker' && <BrokerConfigs />}
        {tab === 'producer' && <ClientSettings settings={PRODUCER_SETTINGS} kind="producer" />}
        {tab === 'consumer' && <ClientSettings settings={CONSUMER_SETTINGS} kind="consumer" />}
      </div>
    </section>
  );
}
