import type { Artifact, NotebookOutput } from '@jaxlab/schemas';
import type { IJobArtifacts } from '@jaxlab/store';

/** Images carried in a notebook at most: each, and all together. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_IMAGES_BYTES = 20 * 1024 * 1024;

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/svg+xml']);

/** A run's kept files for its notebook: images as outputs of the call, the rest listed. */
export interface INotebookArtifacts {
  /** display_data outputs, one per image (PNG and JPEG base64, SVG as text). */
  images: NotebookOutput[];
  /** Markdown listing every file (images included) and how to download it. */
  listing: string | null;
}

/**
 * Reads a run's image artifacts (PNG, JPEG, SVG; up to 5 MiB each and
 * 20 MiB together) as display_data outputs — as if the call had displayed
 * them — and lists every artifact with its size and sha256.
 */
export async function notebookArtifacts(
  artifacts: IJobArtifacts,
  jobId: string
): Promise<INotebookArtifacts> {
  const items = await artifacts.list(jobId);
  const images: NotebookOutput[] = [];
  let total = 0;
  for (const item of items) {
    if (!isImage(item) || item.sizeBytes > MAX_IMAGE_BYTES) continue;
    if (total + item.sizeBytes > MAX_IMAGES_BYTES) break;
    const opened = await artifacts.open(jobId, item.name).catch(() => null);
    if (!opened) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    total += data.length;
    images.push({
      output_type: 'display_data',
      data: {
        [item.contentType]:
          item.contentType === 'image/svg+xml'
            ? data.toString('utf8')
            : data.toString('base64'),
        'text/plain': `outputs/${item.name}`
      },
      metadata: { jaxlab: { artifact: item.name, sha256: item.sha256 } }
    });
  }
  return { images, listing: items.length ? listingOf(jobId, items) : null };
}

function isImage(item: Artifact): boolean {
  return IMAGE_TYPES.has(item.contentType) && !item.deletedAt;
}

function listingOf(jobId: string, items: Artifact[]): string {
  const rows = items.map(
    a =>
      `| \`outputs/${a.name.replace(/\|/g, '\\|')}\` | ${a.contentType} | ${a.sizeBytes} | \`${a.sha256.slice(0, 12)}\` | ${a.deletedAt ? 'deleted by retention' : `\`GET /api/jobs/${jobId}/artifacts/${encodeURIComponent(a.name)}\``} |`
  );
  return [
    '## Files the run wrote',
    '',
    `Kept with run \`${jobId}\`; all of them in one zip: \`GET /api/jobs/${jobId}/artifacts.zip\`. Images are shown as outputs of the call above.`,
    '',
    '| file | type | bytes | sha256 | download |',
    '| --- | --- | --: | --- | --- |',
    ...rows,
    ''
  ].join('\n');
}
