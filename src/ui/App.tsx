import type { Playground } from '../playground';
import { ClientsPanel } from './ClientsPanel';
import { ClusterView } from './ClusterView';
import { ConfigsPanel } from './ConfigsPanel';
import { PlaygroundContext } from './context';
import { CreateTopicForm } from './CreateTopicForm';
import { EventLog } from './EventLog';
import { GroupsView } from './GroupsView';
import { Header } from './Header';
import { MessageBrowser } from './MessageBrowser';
import { MetadataLog } from './MetadataLog';
import { MetricsPanel } from './MetricsPanel';
import { ProduceForm } from './ProduceForm';
import { TopicsTable } from './TopicsTable';
import './stage.css';

/**
 * The page: the stage (the cluster drawn live) across the top, where a laptop screen shows it
 * whole; below it the panels, the tables, logs and configs in the wide column, the client
 * applications, forms, metrics and the metadata log beside them. The help overlay is the
 * header's.
 */
export function App({ playground }: { playground: Playground }) {
  return (
    <PlaygroundContext.Provider value={playground}>
      <Header />
      <main className="layout">
        <div className="col-stage">
          <ClusterView />
        </div>
        <div className="col-main">
          <TopicsTable />
          <GroupsView />
          <MessageBrowser />
          <EventLog />
          <ConfigsPanel />
        </div>
        <aside className="col-side">
          <ClientsPanel />
          <ProduceForm />
          <CreateTopicForm />
          <MetricsPanel />
          <MetadataLog />
        </aside>
      </main>
    </PlaygroundContext.Provider>
  );
}
