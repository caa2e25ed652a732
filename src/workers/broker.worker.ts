import { exposeNode } from '../runtime/nodeRuntime';

// One Kafka broker per worker: terminating the worker is a crash, as kill -9.
exposeNode();
