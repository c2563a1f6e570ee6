import { readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'wxt';
import { allMatchPatterns } from './utils/sites/registry';

const MEETING_MATCHES = allMatchPatterns();

const root = import.meta.dirname;
const weightsDir = resolve(root, 'models/weights');
const mediapipeWasmDir = resolve(root, 'node_modules/@mediapipe/tasks-vision/wasm');
/** Only the SIMD build of MediaPipe's wasm ships: every browser we support has wasm SIMD. */
const MEDIAPIPE_WASM_FILES = ['vision_wasm_internal.js', 'vision_wasm_internal.wasm'];
/**
 * onnxruntime-web's WASM-only bundle has its JS glue inlined but fetches the binary at run time
 * (relative to the page, which Vite cannot see): ship the one binary it needs, once.
 */
const ORT_WASM = resolve(root, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm');

export default defineConfig({
  // Every module imports what it uses explicitly: no auto-imports (they also warned about the
  // settings module re-exporting items owned elsewhere).
  imports: false,
  // The affect models import `onnxruntime-web` (which also runs in Node tests); in the extension,
  // the WASM-only build is enough and avoids shipping the WebGPU/JSEP variant (../shared/SPIKE.md).
  vite: () => ({ resolve: { alias: [{ find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' }] } }),
  manifest: ({ browser }) => {
    const firefox = browser === 'firefox';
    return {
      // public/_locales/<locale>/messages.json; English is complete.
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'en',
      permissions: firefox ? ['storage', 'scripting', 'activeTab'] : ['offscreen', 'storage', 'sidePanel', 'scripting', 'activeTab', 'tabCapture'],
      optional_host_permissions: ['<all_urls>'],
      commands: {
        'toggle-overlay': { suggested_key: { default: 'Alt+Shift+A' }, description: 'Show or hide the AffectLens overlay on this tab' },
      },
      content_security_policy: {
        extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
      },
      // The frame relay iframe (Chrome), embeddable only on the meeting sites (elsewhere the content
      // script falls back to encoding frames itself). Chrome's `use_dynamic_url` would hide it from
      // probing pages, but runtime.getURL does not return the dynamic URL, so it cannot be used yet.
      ...(firefox ? {} : { web_accessible_resources: [{ resources: ['relay.html'], matches: MEETING_MATCHES }] }),
      ...(firefox
        ? {
            browser_specific_settings: {
              gecko: {
                id: 'affectlens@affectlens.dev',
                strict_min_version: '140.0',
                data_collection_permissions: { required: ['none'] },
              },
              gecko_android: { strict_min_version: '142.0' },
            },
          }
        : {}),
    };
  },
  hooks: {
    // Runtime assets ship inside the extension (no CDN): the installed weights and MediaPipe's wasm.
    'build:publicAssets': (_wxt, files) => {
      if (existsSync(weightsDir)) {
        for (const file of readdirSync(weightsDir)) {
          if (file.endsWith('.part')) continue;
          files.push({ absoluteSrc: resolve(weightsDir, file), relativeDest: `models/${file}` });
        }
      }
      files.push({ absoluteSrc: ORT_WASM, relativeDest: 'ort/ort-wasm-simd-threaded.wasm' });
      for (const file of MEDIAPIPE_WASM_FILES) {
        files.push({ absoluteSrc: resolve(mediapipeWasmDir, file), relativeDest: `mediapipe/wasm/${file}` });
      }
    },
  },
});
