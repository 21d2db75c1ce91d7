/** Media types by extension, for what runs commonly write. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  ndjson: 'application/x-ndjson',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  pdf: 'application/pdf',
  html: 'text/html',
  npy: 'application/x-npy',
  npz: 'application/x-npz',
  parquet: 'application/vnd.apache.parquet',
  gz: 'application/gzip',
  zip: 'application/zip',
  tar: 'application/x-tar',
  pkl: 'application/octet-stream',
  msgpack: 'application/x-msgpack',
  h5: 'application/x-hdf5',
  yaml: 'application/yaml',
  yml: 'application/yaml'
};

/** The media type of an artifact named `name`, from its extension (default application/octet-stream). */
export function mediaTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}
