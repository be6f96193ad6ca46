/**
 * The few WebAssembly names the GBDT's kernels use (hist-kernel.ts). TypeScript declares them in
 * its DOM library only, which this Node project does not load; these match Node 20's globals.
 */
/* eslint-disable no-var -- a class-like global is declared as an interface and a var */
declare namespace WebAssembly {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Module {}
  var Module: { new (bytes: Uint8Array): Module };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: { new (module: Module, imports: Record<string, Record<string, unknown>>): Instance };
  interface Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  var Memory: { new (descriptor: { initial: number; maximum?: number; shared?: boolean }): Memory };
  function validate(bytes: Uint8Array): boolean;
}
