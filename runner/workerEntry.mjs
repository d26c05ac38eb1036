// Worker-thread bootstrap: loader hooks registered in the main thread do not reach worker
// threads, so each worker registers tsx itself before loading the TypeScript worker. Works the
// same under bin/planarena.mjs, vitest and plain `node --import tsx`.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
