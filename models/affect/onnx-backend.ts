/**
 * The one ONNX runner shared by every affect backend: the spec says how to feed and read the
 * model; this class owns the onnxruntime-web session.
 *
 * onnxruntime-web runs on its WASM backend in Node (vitest) and in the offscreen document; the
 * offscreen document is not cross-origin isolated, so one thread (SPIKE.md).
 */
import * as ort from 'onnxruntime-web';
import { decodeOutputs } from './postprocess';
import { preprocess } from './preprocess';
import { AffectModelError, type AffectBackend, type AffectBackendSpec, type AffectLoadOptions, type AffectResult, type FaceCrop } from './types';

async function modelBytes(spec: AffectBackendSpec, model: AffectLoadOptions['model']): Promise<Uint8Array> {
  if (typeof model !== 'string') return model instanceof Uint8Array ? model : new Uint8Array(model);
  let res: Response;
  try {
    res = await fetch(model);
  } catch (e) {
    throw new AffectModelError(spec.file, 'missing', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw new AffectModelError(spec.file, 'missing', `HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export class OnnxAffectBackend implements AffectBackend {
  private session: ort.InferenceSession | null = null;
  private outputName = '';
  /** Serialises runs: ORT sessions must not run concurrently (one inference at a time). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly spec: AffectBackendSpec) {}

  get loaded(): boolean {
    return this.session !== null;
  }

  async load(options: AffectLoadOptions): Promise<void> {
    const { spec } = this;
    const progress = options.onProgress ?? (() => {});
    progress(0, `reading ${spec.file}`);
    const bytes = await modelBytes(spec, options.model);
    progress(0.3, `compiling ${spec.label}`);
    ort.env.wasm.numThreads = 1;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [...(options.executionProviders ?? ['wasm'])],
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new AffectModelError(spec.file, 'invalid', e instanceof Error ? e.message : String(e));
    }
    const outputName = spec.outputName ?? session.outputNames[0];
    if (!session.inputNames.includes(spec.inputName) || outputName === undefined || !session.outputNames.includes(outputName)) {
      const found = `inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]`;
      await session.release();
      throw new AffectModelError(spec.file, 'invalid', `expected input '${spec.inputName}'${spec.outputName ? ` and output '${spec.outputName}'` : ''}, found ${found}`);
    }
    await this.session?.release();
    this.session = session;
    this.outputName = outputName;
    if (options.warmUp ?? true) {
      progress(0.8, 'warming up');
      const s = spec.inputSize;
      await this.run([{ data: new Uint8ClampedArray(s * s * 4), width: s, height: s }]);
    }
    progress(1, 'ready');
  }

  run(crops: readonly FaceCrop[]): Promise<AffectResult[]> {
    const next = this.queue.then(() => this.runNow(crops));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(crops: readonly FaceCrop[]): Promise<AffectResult[]> {
    const session = this.session;
    if (!session) throw new Error(`${this.spec.id}: load() before run()`);
    if (crops.length === 0) return [];
    const batch = preprocess(crops, this.spec);
    const input = new ort.Tensor('float32', batch.data, batch.dims);
    const outputs = await session.run({ [this.spec.inputName]: input });
    const output = outputs[this.outputName];
    if (!output) throw new Error(`${this.spec.id}: model gave no '${this.outputName}' output`);
    try {
      if (output.type !== 'float32') throw new Error(`${this.spec.id}: output is ${output.type}, expected float32`);
      return decodeOutputs(output.data as Float32Array, crops.length, this.spec);
    } finally {
      input.dispose();
      output.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.queue;
    const session = this.session;
    this.session = null;
    await session?.release();
  }
}
