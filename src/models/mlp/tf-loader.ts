/**
 * Loads TensorFlow.js on first use (never at import time) and picks its backend:
 *
 *   @tensorflow/tfjs-node (optional peer, native TensorFlow) ── not installed / fails ──►
 *   @tensorflow/tfjs-backend-wasm (binary shipped in the package) ── fails to initialise ──►
 *   @tensorflow/tfjs-backend-cpu (plain JavaScript)
 *
 * Two side effects of TensorFlow.js are undone here, so that training prints nothing and leaves
 * the process as it was: the "install tfjs-node to speed things up" banner (silenced with the
 * `PROD` flag, which only mutes TensorFlow.js's own warnings), and the `uncaughtException` /
 * `unhandledRejection` handlers that the wasm module installs (they rethrow everything, which
 * would turn a caught-elsewhere rejection into a crash); they are removed right after start-up.
 */
import type * as TfCore from '@tensorflow/tfjs-core';

export type Tf = typeof TfCore;

/** The backends, fastest first; `tensorflow` is the one @tensorflow/tfjs-node registers. */
export const TF_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfBackend = (typeof TF_BACKENDS)[number];

export interface LoadedTf {
  readonly tf: Tf;
  readonly backend: TfBackend;
}

let preferred: TfBackend | 'auto' = 'auto';
let loading: Promise<LoadedTf> | undefined;

/**
 * Chooses the backend the next neural-net fits use: `auto` (the default) takes the fastest that
 * loads. A named backend that fails to load is an error. Results are deterministic for a seed on
 * a given backend; different backends differ by float32 rounding, which training can amplify.
 * The backend is TensorFlow.js's global one: call this between fits, not during one.
 *
 * @example
 * setMlpBackend('cpu');
 * const model = await fitMlpAsync(train, opts); // model.info.backend === 'cpu'
 */
export function setMlpBackend(backend: TfBackend | 'auto'): void {
  if (backend !== 'auto' && !TF_BACKENDS.includes(backend)) {
    throw new RangeError(
      `unknown TensorFlow.js backend '${String(backend)}': expected auto, ${TF_BACKENDS.join(', ')}`,
    );
  }
  if (backend !== preferred) loading = undefined;
  preferred = backend;
}

/** TensorFlow.js with its backend set and ready; loaded once per process and backend choice. */
export function loadTf(): Promise<LoadedTf> {
  loading ??= load(preferred).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function load(want: TfBackend | 'auto'): Promise<LoadedTf> {
  const tf = (await import('@tensorflow/tfjs-core')) as Tf;
  // Mutes TensorFlow.js's warnings, among them the "install tfjs-node" banner of the cpu backend.
  tf.env().set('PROD', true);
  // The node build of tfjs-core registers no gradients; tfjs-layers' node build carries core's
  // gradient definitions and registers them in the engine's global registry as it loads.
  await import('@tensorflow/tfjs-layers');
  await import('@tensorflow/tfjs-backend-cpu');
  const order: readonly TfBackend[] = want === 'auto' ? TF_BACKENDS : [want];
  const failures: string[] = [];
  for (const backend of order) {
    try {
      if (await start(tf, backend)) return { tf, backend };
      failures.push(`${backend}: did not initialise`);
    } catch (e) {
      failures.push(`${backend}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be started (${failures.join('; ')})`);
}

async function start(tf: Tf, backend: TfBackend): Promise<boolean> {
  if (backend === 'tensorflow') {
    // Quiets TensorFlow's C++ start-up log unless the user set a level.
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
    // A variable, so that TypeScript does not look for the optional peer at build time.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    // tfjs-node registers its backend in the @tensorflow/tfjs-core it resolves; a different copy
    // (another version) than ours leaves ours without it.
    if (!tf.findBackendFactory('tensorflow')) return false;
    return tf.setBackend('tensorflow');
  }
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    return withoutNewProcessHandlers(() => tf.setBackend('wasm'));
  }
  return tf.setBackend('cpu');
}

/** Runs `f` and removes the process-wide error handlers it added (Emscripten's rethrowing ones). */
async function withoutNewProcessHandlers<T>(f: () => Promise<T>): Promise<T> {
  const exceptions = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  try {
    return await f();
  } finally {
    for (const l of process.listeners('uncaughtException'))
      if (!exceptions.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection'))
      if (!rejections.has(l)) process.removeListener('unhandledRejection', l);
  }
}
