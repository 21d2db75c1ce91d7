import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import type { Request, Response, Router } from 'express';
import yazl from 'yazl';
import type { Artifact, ArtifactList, Job, TableFilter } from '@jaxlab/schemas';
import { JaxLabError, assertValid } from '@jaxlab/schemas';
import type { IJobArtifacts, IJobs, ISeries } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { ownerOf, queryInteger, queryString } from '../http/index.js';
import { ownJob as ownJobOf } from '../jobs/own-job.js';
import { seriesRows } from '../viewer/index.js';
import type { IPageQuery, TableViewer } from '../viewer/index.js';
import { lazyStream } from './lazy-stream.js';

/** Options of {@link createArtifactsRouter}. */
export interface IArtifactsRouterOptions {
  /** Where jobs are looked up (ownership). */
  jobs: IJobs;
  artifacts: IJobArtifacts;
  /** The step series a run's `?series` table reads. */
  series: ISeries;
  viewer: TableViewer;
}

/** Types stored already compressed: zipped as they are. */
const COMPRESSED =
  /^(image\/(png|jpeg|gif|webp)|application\/(gzip|zip|x-npz|vnd\.apache\.parquet))$/;

/**
 * A run's artifacts (mount at `/api/jobs`, beside the jobs router):
 *
 * - `GET /{id}/artifacts` → {@link ArtifactList}: entries and the collection report;
 * - `GET /{id}/artifacts/{name}` (name URL-encoded, `/` as `%2F`) → the
 *   file with its media type, as an attachment, with `Range` support
 *   (206, 416) and its sha256 as ETag;
 * - `GET /{id}/artifacts.zip` → every kept file in one zip, streamed;
 * - `GET /{id}/table?artifact=&member=&offset=&limit=&sort=&order=&filter=`
 *   → one page of a table artifact ({@link TableViewer}); with `series=1`
 *   instead of `artifact`, of the run's step series as one table
 *   ({@link seriesRows}).
 *
 * Another user's job answers 404 on every route, as a missing one does.
 */
export function createArtifactsRouter(
  options: IArtifactsRouterOptions
): Router {
  const { jobs, artifacts, series, viewer } = options;
  const router = express.Router();

  const ownJob = (req: Request): Promise<Job> =>
    ownJobOf(jobs, String(req.params.id), ownerOf(req));

  const artifactOf = async (job: Job, name: string): Promise<Artifact> => {
    const found = (await artifacts.list(job.id)).find(a => a.name === name);
    if (!found) {
      throw new HttpError(
        'ARTIFACT_NOT_FOUND',
        `Job ${job.id} keeps no ${name}`,
        {
          hint: `List what it keeps with GET /api/jobs/${job.id}/artifacts.`
        }
      );
    }
    if (found.deletedAt) {
      throw new JaxLabError(
        'ARTIFACT_DELETED',
        `The content of ${name} was deleted by retention on ${found.deletedAt}.`
      );
    }
    return found;
  };

  router.get('/:id/artifacts', async (req, res) => {
    const job = await ownJob(req);
    const [items, collection] = await Promise.all([
      artifacts.list(job.id),
      artifacts.getCollection(job.id)
    ]);
    const body: ArtifactList = { items };
    if (collection) body.collection = collection;
    res.json(body);
  });

  router.get('/:id/artifacts.zip', async (req, res) => {
    const job = await ownJob(req);
    const kept = (await artifacts.list(job.id)).filter(a => !a.deletedAt);
    const zip = new yazl.ZipFile();
    for (const artifact of kept) {
      const stream = lazyStream(async () => {
        const opened = await artifacts.open(job.id, artifact.name);
        if (!opened) throw new Error(`${artifact.name} is gone`);
        return opened.stream;
      });
      // A file that cannot be read ends the download (yazl does not listen).
      stream.once('error', error =>
        (zip.outputStream as unknown as Readable).destroy(error)
      );
      zip.addReadStream(stream, artifact.name, {
        compress: !COMPRESSED.test(artifact.contentType),
        size: artifact.sizeBytes
      });
    }
    zip.end();
    res.status(200).type('application/zip').attachment(`${job.id}-outputs.zip`);
    await pipeline(zip.outputStream, res).catch(() => res.destroy());
  });

  router.get('/:id/artifacts/:name', async (req, res) => {
    const job = await ownJob(req);
    const artifact = await artifactOf(job, String(req.params.name));
    await sendArtifact(req, res, job, artifact, artifacts);
  });

  router.get('/:id/table', async (req, res) => {
    const job = await ownJob(req);
    const name = queryString(req, 'artifact', 512);
    const ofSeries = queryString(req, 'series', 8) !== undefined;
    if (!name === !ofSeries)
      throw new HttpError(
        'INVALID_REQUEST',
        'Say which table: ?artifact=<name> or ?series=1 (the step series).'
      );
    const sortColumn = queryInteger(req, 'sort', { min: 0, max: 100_000 });
    const query: IPageQuery = {
      member: queryString(req, 'member', 512),
      offset: queryInteger(req, 'offset', {
        min: 0,
        max: 2 ** 32,
        default: 0
      })!,
      limit: queryInteger(req, 'limit', { min: 1, max: 1000, default: 100 })!,
      sort:
        sortColumn === undefined
          ? undefined
          : {
              column: sortColumn,
              descending: queryString(req, 'order') === 'desc'
            },
      filters: parseFilters(queryString(req, 'filter', 20_000))
    };
    if (ofSeries) {
      const summary = await series.summary(job.id);
      const names = Object.keys(summary);
      const page = await viewer.pageOf(
        {
          // Points only ever grow: the counts tell one state from the next.
          key: `series-${hashOf(JSON.stringify([job.id, names.map(n => summary[n].count)]))}`,
          format: 'series',
          rows: async () =>
            seriesRows(names, metric => series.points(job.id, metric))
        },
        query
      );
      res.json(page);
      return;
    }
    const artifact = await artifactOf(job, name!);
    const page = await viewer.page(
      {
        name: artifact.name,
        sha256: artifact.sha256,
        sizeBytes: artifact.sizeBytes,
        open: async range => {
          const stream = await artifacts.openContent(artifact.sha256, range);
          if (!stream)
            throw new JaxLabError(
              'ARTIFACT_DELETED',
              `The content of ${artifact.name} is gone.`
            );
          return stream;
        }
      },
      query
    );
    res.json(page);
  });

  return router;
}

/** `filter` is a JSON array of {@link TableFilter}s. */
function parseFilters(raw: string | undefined): TableFilter[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpError(
      'INVALID_REQUEST',
      'filter must be a JSON array of {column, op, value}.'
    );
  }
  if (!Array.isArray(value) || value.length > 32) {
    throw new HttpError(
      'INVALID_REQUEST',
      'filter must be a JSON array of at most 32 conditions.'
    );
  }
  for (const filter of value) assertValid('table-filter', filter, 'filter');
  return value as TableFilter[];
}

/** The file with its type, as a download, whole or the one range asked for. */
async function sendArtifact(
  req: Request,
  res: Response,
  job: Job,
  artifact: Artifact,
  artifacts: IJobArtifacts
): Promise<void> {
  const size = artifact.sizeBytes;
  const ranges = req.headers.range ? req.range(size) : undefined;
  if (ranges === -1) {
    res.set('Content-Range', `bytes */${size}`);
    throw new HttpError(
      'RANGE_NOT_SATISFIABLE',
      `${artifact.name} has ${size} bytes; the range asked for is outside it.`
    );
  }
  // One range is served as asked; several (or a malformed header) as the whole file.
  const range =
    Array.isArray(ranges) && ranges.length === 1 ? ranges[0] : undefined;
  const opened = await artifacts.open(job.id, artifact.name, range);
  if (!opened)
    throw new HttpError(
      'ARTIFACT_NOT_FOUND',
      `Job ${job.id} keeps no ${artifact.name}`
    );
  res
    .status(range ? 206 : 200)
    .type(artifact.contentType)
    .attachment(artifact.name.split('/').pop()!)
    .set({
      'Accept-Ranges': 'bytes',
      ETag: `"${artifact.sha256}"`,
      'Content-Length': String(range ? range.end - range.start + 1 : size),
      // A download only: never run as a page of this origin (SVG, HTML).
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox"
    });
  if (range)
    res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  await pipeline(opened.stream, res).catch(() => res.destroy());
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
