import type { Artifact } from '@jaxlab/schemas/contract';

/** Shown inline as pictures (through `<img>` from a blob URL: an SVG's scripts never run). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/svg+xml']);
/** Largest image shown inline. */
export const MAX_INLINE_IMAGE_BYTES = 20 * 1024 * 1024;

/** Whether the run panel shows `artifact` inline. */
export function isInlineImage(artifact: Artifact): boolean {
  return (
    IMAGE_TYPES.has(artifact.contentType) &&
    !artifact.deletedAt &&
    artifact.sizeBytes <= MAX_INLINE_IMAGE_BYTES
  );
}

/** Whether the data viewer opens `artifact`. */
export function isTable(artifact: Artifact): boolean {
  return (
    !artifact.deletedAt &&
    /\.(csv|tsv|tab|jsonl|ndjson|npy|npz|parquet)$/i.test(artifact.name)
  );
}

/** Saves `blob` as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
