import { exposeNode } from '../runtime/nodeRuntime';

// One KRaft controller per worker.
exposeNode();
