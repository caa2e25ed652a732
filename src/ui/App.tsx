import type { Playground } from '../playground';
import { ClusterView } from './ClusterView';
import { PlaygroundContext } from './context';
import { CreateTopicForm } from './CreateTopicForm';
import { EventLog } from './EventLog';
import { GroupsView } from './GroupsView';
import { Header } from './Header';
import { MetadataLog } from './MetadataLog';
import { ProduceForm } from './ProduceForm';
import { TopicsTable } from './TopicsTable';

export function App({ playground }: { playground: Playground }) {
  return (
    <PlaygroundContext.Provider value={playground}>
      <Header />
      <main className="layout">
        <div className="col-main">
          <ClusterView />
          <TopicsTable />
          <EventLog />
        </div>
        <aside className="col-side">
          <GroupsView />
          <ProduceForm />
          <CreateTopicForm />
          <MetadataLog />
        </aside>
      </main>
    </PlaygroundContext.Provider>
  );
}
