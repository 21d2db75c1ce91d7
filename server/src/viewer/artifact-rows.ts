import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ITableRows } from './table-builder.js';
import {
  npzMembers,
  readDelimited,
  readJsonLines,
  readNpy,
  readNpzMember
} from './table-formats.js';
import type { FileTableFormat, ITableContent } from './table-formats.js';
import { readParquet } from './parquet-reader.js';

/** An artifact the viewer opens: its name (for the format), hash (for the cache) and content. */
export interface ITableArtifact extends ITableContent {
  name: string;
  sha256: string;
}

/** The rows of an artifact's file in `format` (of an `.npz`, those of its array `member`). */
export async function artifactRows(
  artifact: ITableArtifact,
  format: FileTableFormat,
  member?: string
): Promise<ITableRows> {
  switch (format) {
    case 'csv':
    case 'tsv':
      return readDelimited(
        await artifact.open(),
        format === 'csv' ? ',' : '\t'
      );
    case 'jsonl':
      return readJsonLines(await artifact.open());
    case 'npy':
      return readNpy(await artifact.open());
    case 'parquet':
      return readParquet(artifact);
    case 'npz': {
      const { zip, entries } = await npzMembers(artifact);
      const rows = await readNpzMember(zip, entries.get(member!)!);
      return {
        columns: rows.columns,
        rows: (async function* () {
          try {
            yield* rows.rows;
          } finally {
            zip.close();
          }
        })()
      };
    }
  }
}

/** The arrays of an `.npz` artifact, remembered in `cacheDir` beside its indexes. */
export async function npzArrayNames(
  cacheDir: string,
  artifact: ITableArtifact
): Promise<string[]> {
  const dir = path.join(cacheDir, artifact.sha256);
  const file = path.join(dir, 'members.json');
  if (existsSync(file))
    return JSON.parse(await fs.readFile(file, 'utf8')) as string[];
  const { zip, entries } = await npzMembers(artifact);
  zip.close();
  const members = [...entries.keys()];
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(file, JSON.stringify(members));
  return members;
}
