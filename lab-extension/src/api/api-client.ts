import type {
  ArtifactList,
  Baseline,
  BaselineSet,
  ChatContext,
  ChatConversation,
  ChatMessage,
  ChatRequest,
  FunctionSignatures,
  HostList,
  ISchemaTypes,
  Job,
  JobCreate,
  JobEvent,
  JobPage,
  JobStatus,
  JobUpdate,
  Leaderboard,
  LogPage,
  Notebook,
  Project,
  ProjectWrite,
  RegressionVerdict,
  Review,
  RunnableRewrite,
  ReviewRequest,
  RunComparison,
  SampleInfo,
  SeriesData,
  ShapeName,
  SignatureRequest,
  Sweep,
  SweepCreate,
  TableFilter,
  TablePage,
  User
} from '@jaxlab/schemas/contract';
import {
  JaxLabError,
  isFinalJobStatus,
  shapeErrors
} from '@jaxlab/schemas/contract';
import {
  errorFromResponse,
  invalidResponse,
  networkError
} from './api-error.js';
import { SseParser } from './sse-parser.js';

/**
 * Typed client of the JAX TPU Lab server's REST API.
 *
 * Every call sends the personal token as `Authorization: Bearer` when one is
 * set and the session cookie otherwise (`credentials: 'include'`). Every
 * answer is checked against its schema before it is returned (checks
 * precompiled from schemas/json, see `@jaxlab/schemas/contract`), so the
 * rest of the extension can trust the types. Failures throw
 * {@link JaxLabError} with the server's stable `code`; an answer that breaks
 * its schema throws `INVALID_RESPONSE`, an unreachable server
 * `NETWORK_ERROR`.
 */
export class ApiClient {
  /** Make a client; nothing is sent until a method is called. */
  constructor(options: ApiClient.IOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? '';
    this._fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this._retryDelayMs = options.retryDelayMs ?? 1000;
    this._maxRetries = options.maxRetries ?? 30;
  }

  /** Server base URL without trailing slash. */
  readonly baseUrl: string;
  /** Personal API token, or '' to rely on the session cookie. */
  readonly token: string;

  /** URL a browser opens to sign in. */
  loginUrl(next?: string): string {
    const query = next ? `?next=${encodeURIComponent(next)}` : '';
    return `${this.baseUrl}/login${query}`;
  }

  /** The signed-in user. @throws JaxLabError `UNAUTHORIZED` when signed out. */
  me(): Promise<User> {
    return this._json('user', 'GET', '/api/me');
  }

  /** Sample problems. */
  listSamples(): Promise<SampleInfo[]> {
    return this._json('sample-list', 'GET', '/api/samples');
  }

  /** The user's projects. */
  listProjects(): Promise<Project[]> {
    return this._json('project-list', 'GET', '/api/projects');
  }

  /** Create a project, e.g. `{name, sample}` to start from a sample. */
  createProject(body: ProjectWrite): Promise<Project> {
    return this._json('project', 'POST', '/api/projects', body);
  }

  /** One project. */
  getProject(id: string): Promise<Project> {
    return this._json('project', 'GET', `/api/projects/${enc(id)}`);
  }

  /**
   * Change some fields of a project.
   *
   * @throws JaxLabError `REQUIREMENTS_REJECTED` (details `{line, rule}`)
   * when requirements.txt has a line a job could not install from; nothing
   * of the change is saved then.
   */
  updateProject(id: string, patch: ProjectWrite): Promise<Project> {
    return this._json('project', 'PATCH', `/api/projects/${enc(id)}`, patch);
  }

  /** Delete a project. */
  async deleteProject(id: string): Promise<void> {
    await this._request('DELETE', `/api/projects/${enc(id)}`);
  }

  /**
   * Write a file of a project: add it, or replace its text (main.py,
   * README.md and requirements.txt included). Answers the project.
   *
   * @throws JaxLabError `PROJECT_FILE_REJECTED` (details `{path, rule}`)
   * for a path or size a project may not have, `REQUIREMENTS_REJECTED`.
   */
  writeProjectFile(
    id: string,
    path: string,
    content: string
  ): Promise<Project> {
    return this._json('project', 'PUT', fileUrl(id, path), { content });
  }

  /**
   * Rename (or move) a file of a project. Answers the project.
   *
   * @throws JaxLabError `PROJECT_FILE_REJECTED`, `CONFLICT` (a file is at
   * `to` already), `NOT_FOUND`.
   */
  renameProjectFile(id: string, path: string, to: string): Promise<Project> {
    return this._json('project', 'PATCH', fileUrl(id, path), { path: to });
  }

  /** Delete a file of a project. Answers the project. */
  deleteProjectFile(id: string, path: string): Promise<Project> {
    return this._json('project', 'DELETE', fileUrl(id, path));
  }

  /** Live and lost gateway hosts, what they offer and the queue per accelerator. */
  listHosts(): Promise<HostList> {
    return this._json('host-list', 'GET', '/api/hosts');
  }

  /** Review code: lint findings and the model's Markdown. */
  review(body: ReviewRequest): Promise<Review> {
    return this._json('review', 'POST', '/api/review', {
      ...body,
      stream: false
    });
  }

  /**
   * Make it runnable: `code` (a main.py) with its top-level work moved into
   * a generated main(); deterministic, nothing of it runs.
   */
  makeRunnable(code: string): Promise<RunnableRewrite> {
    return this._json('runnable-rewrite', 'POST', '/api/make-runnable', {
      code
    });
  }

  /**
   * Submit a job; answers as soon as it is queued.
   *
   * @throws JaxLabError `REQUIREMENTS_REJECTED` (details `{line, rule}`)
   * when requirements.txt has a line a job could not install from.
   */
  async createJob(body: JobCreate): Promise<Job> {
    return (await this._json('job-accepted', 'POST', '/api/jobs', body)).job;
  }

  /**
   * A page of the user's jobs, newest first, filtered (see
   * {@link ApiClient.IJobQuery}); without `projectId`, of every project.
   */
  async listJobs(query: ApiClient.IJobQuery = {}): Promise<JobPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined && item !== '') {
          params.append(key, String(item));
        }
      }
    }
    const qs = params.toString();
    return this._json('job-page', 'GET', `/api/jobs${qs ? `?${qs}` : ''}`);
  }

  /** Name, tag or annotate a run. */
  updateJob(id: string, patch: JobUpdate): Promise<Job> {
    return this._json('job', 'PATCH', `/api/jobs/${enc(id)}`, patch);
  }

  /**
   * A run's step series, each cut into at most `buckets` step buckets
   * (min/max/last), optionally only some names and a step range.
   */
  getSeries(
    id: string,
    options: {
      buckets?: number;
      names?: readonly string[];
      fromStep?: number;
      toStep?: number;
    } = {}
  ): Promise<SeriesData> {
    const params = new URLSearchParams();
    params.set('buckets', String(options.buckets ?? 1000));
    if (options.names?.length) params.set('names', options.names.join(','));
    if (options.fromStep !== undefined)
      params.set('fromStep', String(options.fromStep));
    if (options.toStep !== undefined)
      params.set('toStep', String(options.toStep));
    return this._json(
      'series-data',
      'GET',
      `/api/jobs/${enc(id)}/series?${params}`
    );
  }

  /** Runs side by side: parameters (which differ), final/min/max per metric. */
  compareRuns(ids: readonly string[]): Promise<RunComparison> {
    return this._json(
      'run-comparison',
      'GET',
      `/api/experiments/compare?jobs=${ids.map(enc).join(',')}`
    );
  }

  /** The project's completed runs ranked by a metric, with filters. */
  getLeaderboard(
    projectId: string,
    query: ApiClient.ILeaderboardQuery
  ): Promise<Leaderboard> {
    return this._json(
      'leaderboard',
      'GET',
      `/api/projects/${enc(projectId)}/leaderboard?${leaderboardParams(query)}`
    );
  }

  /** The URL of the leaderboard as CSV (a download link; cookies sign it in). */
  leaderboardCsvUrl(
    projectId: string,
    query: ApiClient.ILeaderboardQuery
  ): string {
    const params = leaderboardParams(query);
    params.set('format', 'csv');
    return `${this.baseUrl}/api/projects/${enc(projectId)}/leaderboard?${params}`;
  }

  /** Sets a completed run as the project's regression baseline. */
  setBaseline(projectId: string, body: BaselineSet): Promise<Baseline> {
    return this._json(
      'baseline',
      'PUT',
      `/api/projects/${enc(projectId)}/baseline`,
      body
    );
  }

  /** The project's baseline; JaxLabError `BASELINE_NOT_FOUND` when none. */
  getBaseline(projectId: string): Promise<Baseline> {
    return this._json(
      'baseline',
      'GET',
      `/api/projects/${enc(projectId)}/baseline`
    );
  }

  /** A finished run's verdict against its project's baseline. */
  getRegression(jobId: string): Promise<RegressionVerdict> {
    return this._json(
      'regression-verdict',
      'GET',
      `/api/runs/${enc(jobId)}/regression`
    );
  }

  /** Starts a sweep. */
  createSweep(body: SweepCreate): Promise<Sweep> {
    return this._json('sweep', 'POST', '/api/sweeps', body);
  }

  /** A sweep with its trials. */
  getSweep(id: string): Promise<Sweep> {
    return this._json('sweep', 'GET', `/api/sweeps/${enc(id)}`);
  }

  /** The user's sweeps (of one project when given), newest first. */
  async listSweeps(projectId?: string): Promise<Sweep[]> {
    const qs = projectId ? `?projectId=${enc(projectId)}` : '';
    return (await this._json('sweep-list', 'GET', `/api/sweeps${qs}`)).items;
  }

  /** Pauses, resumes or cancels a sweep. */
  changeSweep(id: string, to: 'pause' | 'resume' | 'cancel'): Promise<Sweep> {
    return this._json('sweep', 'POST', `/api/sweeps/${enc(id)}/${to}`);
  }

  /** The designated functions' parameters, read from main.py without running it. */
  readSignatures(body: SignatureRequest): Promise<FunctionSignatures> {
    return this._json('function-signatures', 'POST', '/api/signatures', body);
  }

  /** One job. */
  getJob(id: string): Promise<Job> {
    return this._json('job', 'GET', `/api/jobs/${enc(id)}`);
  }

  /**
   * A page of a job's log chunks after sequence number `after`; pass its
   * `nextAfter` as `after` for the next page until `done`.
   */
  getLogs(id: string, after = 0, limit = 1000): Promise<LogPage> {
    return this._json(
      'log-page',
      'GET',
      `/api/jobs/${enc(id)}/logs?after=${after}&limit=${limit}`
    );
  }

  /**
   * Ask for a job to be cancelled: a queued one ends at once, a running one
   * within seconds. @throws JaxLabError `JOB_FINISHED` when it already ended.
   */
  cancelJob(id: string): Promise<Job> {
    return this._json('job', 'POST', `/api/jobs/${enc(id)}/cancel`);
  }

  /** A run exported as an nbformat 4.5 notebook. */
  getNotebook(id: string): Promise<Notebook> {
    return this._json('notebook', 'GET', `/api/jobs/${enc(id)}/notebook`);
  }

  /** The files a run kept (name, size, type, sha256) and what its collection dropped. */
  listArtifacts(id: string): Promise<ArtifactList> {
    return this._json('artifact-list', 'GET', `/api/jobs/${enc(id)}/artifacts`);
  }

  /**
   * One kept file's content (sent with the token, which a plain link
   * cannot carry). @throws JaxLabError `ARTIFACT_DELETED` after retention.
   */
  async downloadArtifact(id: string, name: string): Promise<Blob> {
    const response = await this._request('GET', this.artifactPath(id, name));
    return response.blob();
  }

  /** Every kept file of a run in one zip. */
  async downloadArtifactsZip(id: string): Promise<Blob> {
    return (
      await this._request('GET', `/api/jobs/${enc(id)}/artifacts.zip`)
    ).blob();
  }

  /** The API path of a kept file (its name URL-encoded, `/` included). */
  artifactPath(id: string, name: string): string {
    return `/api/jobs/${enc(id)}/artifacts/${enc(name)}`;
  }

  /** One page of a table artifact or of the step series, sorted and filtered by the server. */
  getTable(
    id: string,
    query: {
      source: TableSource;
      member?: string;
      offset: number;
      limit: number;
      sort?: { column: number; descending: boolean };
      filters?: TableFilter[];
    }
  ): Promise<TablePage> {
    const params = new URLSearchParams({
      ...('artifact' in query.source
        ? { artifact: query.source.artifact }
        : { series: '1' }),
      offset: String(query.offset),
      limit: String(query.limit)
    });
    if (query.member !== undefined) params.set('member', query.member);
    if (query.sort) {
      params.set('sort', String(query.sort.column));
      params.set('order', query.sort.descending ? 'desc' : 'asc');
    }
    if (query.filters?.length)
      params.set('filter', JSON.stringify(query.filters));
    return this._json(
      'table-page',
      'GET',
      `/api/jobs/${enc(id)}/table?${params}`
    );
  }

  /** The user's conversation about a run (or its comparison with `compare`). */
  getChat(id: string, compare: string[] = []): Promise<ChatConversation> {
    const qs = compare.length ? `?compare=${compare.map(enc).join(',')}` : '';
    return this._json(
      'chat-conversation',
      'GET',
      `/api/jobs/${enc(id)}/chat${qs}`
    );
  }

  /**
   * Asks about a run: `onContext` gets the chips sent to the model, `onDelta`
   * each piece of the answer as it streams; resolves with the stored answer
   * (its `error` says what went wrong with the model).
   */
  async askChat(
    id: string,
    body: ChatRequest,
    handlers: {
      onContext?: (context: ChatContext) => void;
      onDelta?: (text: string) => void;
      signal?: AbortSignal;
    } = {}
  ): Promise<ChatMessage> {
    const headers = this._headers();
    headers.set('Accept', 'text/event-stream');
    headers.set('Content-Type', 'application/json');
    let response: Response;
    try {
      response = await this._fetch(`${this.baseUrl}/api/jobs/${enc(id)}/chat`, {
        method: 'POST',
        headers,
        credentials: 'include',
        body: JSON.stringify(body),
        signal: handlers.signal
      });
    } catch (error) {
      throw networkError(`Cannot reach ${this.baseUrl}.`, error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const raw of parser.push(decoder.decode(value, { stream: true }))) {
        let data: unknown;
        try {
          data = JSON.parse(raw.data);
        } catch (error) {
          throw invalidResponse('The chat sent an event that is not JSON', [
            String(error)
          ]);
        }
        const problems = shapeErrors('chat-stream-data', data);
        if (problems.length)
          throw invalidResponse('The chat sent an invalid event', problems);
        if (raw.event === 'context') handlers.onContext?.(data as ChatContext);
        else if (raw.event === 'delta')
          handlers.onDelta?.((data as { text: string }).text);
        else if (raw.event === 'done') return data as ChatMessage;
      }
    }
    throw networkError('The chat stream ended before its answer.', undefined);
  }

  /**
   * The events of a job, live, as an async iterable.
   *
   * Reads `GET /api/jobs/{id}/events` with fetch streaming (EventSource cannot
   * send an Authorization header). When the connection drops before a final
   * status arrives, it reconnects with `Last-Event-ID` set to the last
   * sequence number seen, so every event is yielded once and in order. Ends
   * after the final `job:status` event, or when `signal` aborts.
   *
   * @param options.afterSeq - resume after this sequence number (0: from the start).
   * @throws JaxLabError when the server refuses (e.g. `JOB_NOT_FOUND`), when
   * an event breaks the JobEvent schema (`INVALID_RESPONSE`), or after
   * `maxRetries` failed reconnections in a row (`NETWORK_ERROR`).
   */
  async *jobEvents(
    id: string,
    options: { afterSeq?: number; signal?: AbortSignal } = {}
  ): AsyncGenerator<JobEvent, void, undefined> {
    let lastSeq = options.afterSeq ?? 0;
    let failures = 0;
    const signal = options.signal;
    while (!signal?.aborted) {
      let response: Response;
      try {
        const headers = this._headers();
        headers.set('Accept', 'text/event-stream');
        if (lastSeq > 0) {
          headers.set('Last-Event-ID', String(lastSeq));
        }
        response = await this._fetch(
          `${this.baseUrl}/api/jobs/${enc(id)}/events`,
          {
            method: 'GET',
            headers,
            credentials: 'include',
            signal
          }
        );
      } catch (error) {
        if (signal?.aborted) {
          return;
        }
        if (++failures > this._maxRetries) {
          throw networkError('The event stream is unreachable.', error);
        }
        await sleep(this._retryDelayMs, signal);
        continue;
      }
      if (!response.ok) {
        if (response.status >= 500 && ++failures <= this._maxRetries) {
          await sleep(this._retryDelayMs, signal);
          continue;
        }
        throw await errorFromResponse(response);
      }
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body!.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            break;
          }
          for (const raw of parser.push(
            decoder.decode(value, { stream: true })
          )) {
            if (!raw.event.startsWith('job:')) {
              continue;
            }
            const event = parseEvent(raw.data);
            if (event.seq <= lastSeq) {
              continue;
            }
            lastSeq = event.seq;
            failures = 0;
            yield event;
            if (event.type === 'job:status' && isFinalJobStatus(event.status)) {
              return;
            }
          }
        }
      } catch (error) {
        if (signal?.aborted) {
          return;
        }
        if (error instanceof JaxLabError) {
          throw error;
        }
        // The connection dropped: resume below.
      } finally {
        reader.releaseLock?.();
      }
      if (signal?.aborted) {
        return;
      }
      if (++failures > this._maxRetries) {
        throw networkError('The event stream keeps closing.', undefined);
      }
      await sleep(failures > 1 ? this._retryDelayMs : 0, signal);
    }
  }

  /** The answer of a request, checked against schema `shape`. */
  private async _json<N extends ShapeName>(
    shape: N,
    method: string,
    path: string,
    body?: unknown
  ): Promise<ISchemaTypes[N]> {
    const response = await this._request(method, path, body);
    let answer: unknown;
    try {
      answer = await response.json();
    } catch (error) {
      throw invalidResponse(`${method} ${path} answered no JSON`, [
        String(error)
      ]);
    }
    const problems = shapeErrors(shape, answer);
    if (problems.length > 0) {
      throw invalidResponse(`${method} ${path} answered no ${shape}`, problems);
    }
    return answer as ISchemaTypes[N];
  }

  private async _request(
    method: string,
    path: string,
    body?: unknown
  ): Promise<Response> {
    const headers = this._headers();
    if (body !== undefined) {
      headers.set('Content-Type', 'application/json');
    }
    let response: Response;
    try {
      response = await this._fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        credentials: 'include',
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (error) {
      throw networkError(`Cannot reach ${this.baseUrl}.`, error);
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    return response;
  }

  private _headers(): Headers {
    const headers = new Headers({ Accept: 'application/json' });
    if (this.token) {
      headers.set('Authorization', `Bearer ${this.token}`);
    }
    return headers;
  }

  private _fetch: typeof fetch;
  private _retryDelayMs: number;
  private _maxRetries: number;
}

/** Statics of {@link ApiClient}. */
export namespace ApiClient {
  /** Filters of {@link ApiClient.listJobs} (see GET /api/jobs). */
  export interface IJobQuery {
    projectId?: string;
    status?: JobStatus;
    /** Only runs with this tag. */
    tag?: string;
    /** Only runs whose name contains this. */
    q?: string;
    /** `name=value` argument filters, e.g. `lr=0.1`. */
    arg?: string[];
    /** `<name><op><number>`, e.g. `loss<0.5`. */
    metric?: string;
    limit?: number;
    cursor?: string;
  }

  /** Ranking and filters of {@link ApiClient.getLeaderboard}. */
  export interface ILeaderboardQuery {
    metric: string;
    direction: 'min' | 'max';
    tag?: string;
    /** `name=value` argument filters, e.g. `lr=0.1`. */
    arg?: string[];
    /** Created at or after (ISO date). */
    from?: string;
    /** Created before (ISO date). */
    to?: string;
    accelerator?: string;
    limit?: number;
  }

  /** Options of {@link ApiClient}. */
  export interface IOptions {
    /** Server base URL, e.g. `http://127.0.0.1:8700`. */
    baseUrl: string;
    /** Personal API token or the local login token; '' for cookies only. */
    token?: string;
    /** fetch to use (tests inject one). */
    fetch?: typeof fetch;
    /** Delay before reconnecting a dropped event stream, ms. */
    retryDelayMs?: number;
    /** Failed reconnections in a row before giving up. */
    maxRetries?: number;
  }
}

function leaderboardParams(
  query: ApiClient.ILeaderboardQuery
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== '') params.append(key, String(item));
    }
  }
  return params;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/** A project file's URL, its path one encoded segment (as the API documents it). */
function fileUrl(id: string, path: string): string {
  return `/api/projects/${enc(id)}/files/${encodeURIComponent(path)}`;
}

/** One SSE data line as a JobEvent. @throws JaxLabError `INVALID_RESPONSE`. */
function parseEvent(data: string): JobEvent {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch (error) {
    throw invalidResponse('The server sent an event that is not JSON', [
      String(error)
    ]);
  }
  const problems = shapeErrors('job-event', event);
  if (problems.length > 0) {
    throw invalidResponse('The server sent an invalid job event', problems);
  }
  return event as JobEvent;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/** What the data viewer shows: a kept file, or the run's step series as one table. */
export type TableSource = { artifact: string } | { series: true };
