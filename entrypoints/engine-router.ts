// The inference host's router thread (utils/engine-router.ts): relays' frames to the engine threads.
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { runEngineRouter, type FromRouter, type ToRouter } from '@/utils/engine-router';
import type { WorkerScope } from '@/utils/engine-worker';

export default defineUnlistedScript(() => runEngineRouter(self as unknown as WorkerScope<ToRouter, FromRouter>));
