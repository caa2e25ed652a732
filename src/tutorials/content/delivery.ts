import { ensureTopic, stopClients, TUTORIAL_CONSUMER } from '../actions';
import { eventsOf, isAcknowledged, processedTwice, runningClients } from '../conditions';
import type { Tutorial } from '../types';

const TOPIC = 'tutorial-delivery';
const GROUP = 'tutorial-delivery-app';

export const deliveryTutorial: Tutorial = {
  id: 'delivery-guarantees',
  title: '8. Delivery guarantees',
  summary: 'At-most-once, at-least-once and idempotence, on the producer and the consumer side; why exactly-once needs transactions.',
  steps: [
    {
      id: 'at-most-once',
      title: 'At-most-once: acks=0',
      text: 'Create tutorial-delivery and start a producer with acks=0. It sends and forgets: the broker never replies, so a record lost on the way is never known and never retried. Each record arrives at most once.\n\nA consumer gets at-most-once by committing an offset before processing the record: if it crashes in between, that record is skipped.',
      action: {
        kind: 'produce', label: 'Create tutorial-delivery and start an acks=0 producer',
        run: async (api, tools) => {
          await ensureTopic(api, tools, { topic: TOPIC, partitions: 1 });
          await stopClients(api, { kind: 'producer', topic: TOPIC });
          await api.cluster.startProducer({ topic: TOPIC, acks: 0, ratePerSec: 4 });
        },
      },
      waitingFor: 'records sent with acks=0 (no reply)',
      done: ({ events }) => events.some(isAcknowledged(TOPIC, 0)),
    },
    {
      id: 'at-least-once-producer',
      title: 'At-least-once: acks=all and retries',
      text: 'Replace it with a producer using acks=all. Now every record is acknowledged once all in-sync replicas have it, and the producer retries whatever is not acknowledged: nothing acknowledged is lost.\n\nThe catch: if a reply is lost after the leader wrote the record, the retry writes it a second time. Each record arrives at least once.',
      action: {
        kind: 'produce', label: 'Replace it with an acks=all producer',
        run: async (api) => {
          await stopClients(api, { kind: 'producer', topic: TOPIC });
          await api.cluster.startProducer({ topic: TOPIC, acks: -1, ratePerSec: 4 });
        },
      },
      waitingFor: 'records acknowledged with acks=all',
      done: ({ events }) => events.some(isAcknowledged(TOPIC, -1)),
    },
    {
      id: 'at-least-once-consumer',
      title: 'At-least-once on the consumer: crash before the commit',
      text: 'A consumer processes records, then commits how far it got. Start one that commits only every 60 seconds, let it process a few records, and crash it before it commits. Its replacement starts from the last committed offset, so it processes the same records again: delivered twice, none skipped.\n\nThat is the usual consumer setting: at-least-once, with processing that tolerates a repeat.',
      action: {
        kind: 'kill', label: 'Start a consumer, crash it before it commits, start another',
        run: async (api, tools) => {
          await stopClients(api, { kind: 'consumer', groupId: GROUP });
          const options = { ...TUTORIAL_CONSUMER, groupId: GROUP, topics: [TOPIC], autoCommitInterval: 60_000 };
          const first = await api.cluster.startConsumer(options);
          await tools.until(`${first} to process some records`, (cluster) => (cluster.clients.find((c) => c.id === first)?.processed ?? 0) > 0);
          api.cluster.killClient(first);
          await api.cluster.startConsumer(options);
        },
      },
      waitingFor: 'a record of tutorial-delivery processed by two consumers of tutorial-delivery-app',
      done: ({ events }) => processedTwice(events, GROUP, TOPIC),
    },
    {
      id: 'idempotence',
      title: 'Idempotence: no duplicates from retries',
      text: 'Replace the producer with an idempotent one (enable.idempotence). At connect it gets a producer id and epoch (InitProducerId); each batch then carries the producer id and a sequence number per partition. The leader remembers the last sequences of each producer: a retried batch it already has is acknowledged without being written again, and a gap is refused (OUT_OF_ORDER_SEQUENCE_NUMBER).\n\nEach record is written exactly once per partition, across retries. The Java producer has this on by default since Kafka 3.0; KafkaJS has it off.',
      action: {
        kind: 'produce', label: 'Replace the producer with an idempotent one',
        run: async (api) => {
          await stopClients(api, { kind: 'producer', topic: TOPIC });
          await api.cluster.startProducer({ topic: TOPIC, acks: -1, idempotent: true, ratePerSec: 4 });
        },
      },
      waitingFor: 'a producer id handed out (InitProducerId), then records acknowledged',
      done: ({ events }) => {
        const granted = events.findIndex((e) => e.type === 'producer-id');
        return granted >= 0 && events.slice(granted + 1).some(isAcknowledged(TOPIC, -1));
      },
    },
    {
      id: 'exactly-once',
      title: 'Exactly-once needs transactions',
      text: 'Idempotence covers one producer session and one partition. Exactly-once from input to output (read, process, write, and commit the input offsets together) needs transactions: a transactional.id, a transaction coordinator, and consumers reading with isolation.level=read_committed.\n\nThe playground does not implement transactions yet, so there is nothing to run for it here. Stop the clients to finish.',
      action: {
        kind: 'stop', label: 'Stop the clients of tutorial-delivery',
        run: async (api) => {
          await stopClients(api, { kind: 'consumer', topic: TOPIC });
          await stopClients(api, { kind: 'producer', topic: TOPIC });
        },
      },
      waitingFor: 'no client running on tutorial-delivery',
      done: ({ cluster, events }) => runningClients(cluster, { topic: TOPIC }).length === 0 && eventsOf(events, 'client-stopped').length > 0,
    },
  ],
  realKafka: {
    text: 'Idempotence (KIP-98) gives each producer a producer id and epoch and numbers its batches per partition; brokers keep the last five batches\' sequences per producer, which is why max.in.flight.requests.per.connection may be up to 5 with idempotence. Transactions (also KIP-98) add a transaction coordinator and markers in the log, so a consume-process-produce loop can commit its output and its input offsets atomically; read_committed consumers then skip aborted records.',
    configs: [
      { name: 'enable.idempotence', default: 'true', note: 'Java producer default since Kafka 3.0 (KIP-679); KafkaJS: idempotent false.' },
      { name: 'acks', default: 'all', note: 'Idempotence requires acks=all.' },
      { name: 'max.in.flight.requests.per.connection', default: '5', note: 'At most 5 with idempotence, which keeps order across retries.' },
      { name: 'transactional.id', default: 'null', note: 'Set it to use transactions (not in the playground).' },
      { name: 'isolation.level', default: 'read_uncommitted', note: 'read_committed consumers see only committed transactions.' },
      { name: 'enable.auto.commit', default: 'true', note: 'Auto-commit after processing gives at-least-once.' },
    ],
  },
};
