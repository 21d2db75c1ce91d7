import type { ArtifactCollection } from '@jaxlab/schemas';
import { formatBytes, isValid } from '@jaxlab/schemas';
import type { IJobArtifacts } from '@jaxlab/store';

import type { IOutputLimits } from './output-limits.js';
import { walkOutputs } from './output-walker.js';

type Dropped = ArtifactCollection['dropped'][number];

/** Dropped files named in the report (the log names them all, in lines). */
const MAX_LISTED_DROPPED = 1000;

/** Options of {@link collectOutputs}. */
export interface ICollectOutputsOptions {
  /** The kernel's folder on the host (`/job` inside the sandbox). */
  jobDir: string;
  jobId: string;
  artifacts: IJobArtifacts;
  limits: IOutputLimits;
  /** The run was stopped (cancel, time limit): say files may be incomplete. */
  partial?: boolean;
  /** Where each line for the run's log goes. */
  log: (stream: 'stdout' | 'stderr', text: string) => void;
  now?: () => Date;
}

/**
 * Keeps what a run wrote under outputs/ as its artifacts: files in name
 * order while they fit the run's limits (count, bytes per file, bytes in
 * all) — a file over a limit is dropped and the next ones still kept if
 * they fit — streamed from the open, checked descriptor into the store.
 * Links, special files and anything outside outputs/ are never read
 * ({@link walkOutputs}). Says in the run's log what it kept and names each
 * file it dropped and why; records the report with the artifacts. Never
 * throws for one file's trouble.
 */
export async function collectOutputs(
  options: ICollectOutputsOptions
): Promise<ArtifactCollection> {
  const { limits, artifacts, jobId, log } = options;
  const dropped: Dropped[] = [];
  let keptFiles = 0;
  let keptBytes = 0;
  for await (const entry of walkOutputs(options.jobDir)) {
    if (entry.kind === 'skipped') {
      dropped.push(entry);
      continue;
    }
    const { name, handle, stat } = entry;
    try {
      const reason = !isValidName(name)
        ? 'bad-name'
        : stat.size > limits.maxFileBytes
          ? 'over-file-bytes'
          : keptFiles >= limits.maxFiles
            ? 'over-file-count'
            : keptBytes + stat.size > limits.maxBytes
              ? 'over-total-bytes'
              : undefined;
      if (reason) {
        dropped.push({
          name: name.slice(0, 512),
          sizeBytes: stat.size,
          reason
        });
        continue;
      }
      // Bytes past the size fstat saw are not read: a file still growing
      // cannot push the run over its limit.
      const kept = await artifacts.put(jobId, {
        name,
        data:
          stat.size === 0
            ? new Uint8Array(0)
            : handle.createReadStream({
                start: 0,
                end: stat.size - 1,
                autoClose: false,
                highWaterMark: 1 << 20
              })
      });
      keptFiles++;
      keptBytes += kept.sizeBytes;
    } catch {
      dropped.push({
        name: name.slice(0, 512),
        sizeBytes: stat.size,
        reason: 'unreadable'
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  const collection: ArtifactCollection = {
    collectedAt: (options.now ?? (() => new Date()))().toISOString(),
    keptFiles,
    keptBytes,
    limits: { ...limits },
    dropped: dropped.slice(0, MAX_LISTED_DROPPED)
  };
  if (dropped.length > MAX_LISTED_DROPPED)
    collection.droppedMore = dropped.length - MAX_LISTED_DROPPED;
  if (options.partial) collection.partial = true;
  if (keptFiles > 0 || dropped.length > 0) {
    log('stdout', describeKept(collection));
    for (const line of describeDropped(dropped, limits)) log('stderr', line);
  }
  await artifacts.setCollection(jobId, collection);
  return collection;
}

function isValidName(name: string): boolean {
  return isValid('artifact', {
    name,
    contentType: 'application/octet-stream',
    sizeBytes: 0,
    sha256: '0'.repeat(64),
    createdAt: new Date(0).toISOString()
  });
}

function describeKept(c: ArtifactCollection): string {
  const partial = c.partial
    ? ' The run was stopped: a file it was still writing may be incomplete.'
    : '';
  return `jaxlab: kept ${c.keptFiles} file${c.keptFiles === 1 ? '' : 's'} of outputs/ (${formatBytes(c.keptBytes)}) with the run; limits: ${c.limits.maxFiles} files, ${formatBytes(c.limits.maxBytes)} in all, ${formatBytes(c.limits.maxFileBytes)} per file.${partial}\n`;
}

function describeDropped(dropped: Dropped[], limits: IOutputLimits): string[] {
  return dropped.map(d => {
    const size =
      d.sizeBytes !== undefined ? ` (${formatBytes(d.sizeBytes)})` : '';
    const why: Record<Dropped['reason'], string> = {
      'over-total-bytes': `over the run's limit of ${formatBytes(limits.maxBytes)} in all`,
      'over-file-bytes': `over the limit of ${formatBytes(limits.maxFileBytes)} per file`,
      'over-file-count': `over the limit of ${limits.maxFiles} files`,
      'not-a-regular-file': 'not a regular file (FIFO, socket or device)',
      link: 'a symbolic or hard link (never followed)',
      unreadable: 'could not be read',
      'bad-name': 'its name has control characters or is too long'
    };
    return `jaxlab: dropped outputs/${d.name}${size}: ${why[d.reason]}.\n`;
  });
}
