/**
 * Types shared by every data recipe and by the commands that run them. Types only: the
 * registry (./index.ts) and each recipe import from here, never from each other's modules.
 */

/** Where a recipe reads its raw archive from: URLs tried in order, or a local file. */
export type ArchiveSource =
  { readonly kind: 'url'; readonly urls: readonly string[] } | { readonly kind: 'file'; readonly path: string };

/**
 * Progress callbacks, all optional. The core calls them; the CLI draws progress bars with them
 * (only on a terminal). Byte counts are cumulative.
 */
export interface RecipeProgress {
  /** A download starts; `total` is the server's Content-Length, when it sent one. */
  downloadStart?(url: string, total: number | undefined): void;
  downloadProgress?(received: number): void;
  /** The download ended, successfully or not. */
  downloadEnd?(): void;
  /** Reading the archive's files starts; `total` is their uncompressed size. */
  readStart?(total: number): void;
  readProgress?(done: number, file: string): void;
  readEnd?(): void;
}

/** What running a recipe did: printed by `automl recipe`, returned by its `--json`. */
export interface RecipeReport {
  readonly recipe: string;
  /** The output CSV, as the caller named it. */
  readonly out: string;
  readonly rows: number;
  readonly columns: number;
  /** The output's header, in order. */
  readonly header: readonly string[];
  /** The per-cycle statistics computed, in column-group order. */
  readonly stats: readonly string[];
  /** `url`: downloaded (or its cached copy); `file`: a local archive. */
  readonly sourceKind: 'url' | 'file';
  /** The URL the archive came from, or the local file as the caller named it. */
  readonly source: string;
  /** The archive file that was read: the cached download, or the local file. */
  readonly archive: string;
  /** sha256 of the archive's bytes (no checksum is published; record it to pin the data). */
  readonly sha256: string;
  /** Size of the archive in bytes. */
  readonly bytes: number;
  /** True when an earlier download in the cache was used and no request was made. */
  readonly cached: boolean;
  readonly elapsedMs: number;
}
