// Over ~400 lines on purpose: one short, documented method per REST
// endpoint, on the one client every widget receives; how it reaches the
// server, the event streams and the query encoding are modules of their own
// (api-transport.ts, job-event-stream.ts, chat-stream.ts, api-queries.ts).
import type {
  ArtifactList,
  Baseline,
  BaselineSet,
  ChatConversation,
  ChatMessage,
  ChatRequest,
  FunctionSignatures,
  HostList,
  Job,
  JobCreate,
  JobEvent,
  JobPage,
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
  SignatureRequest,
  Sweep,
  SweepCreate,
  TablePage,
  User
} from '@jaxlab/schemas/contract';
import {
  filterParams,
  seriesParams,
  tableParams,
  type IJobQuery,
  type ILeaderboardQuery,
  type ISeriesQuery,
  type ITableQuery
} from './api-queries.js';
import { ApiTransport } from './api-transport.js';
import { readChatAnswer, type IChatHandlers } from './chat-stream.js';
import { jobEventStream } from './job-event-stream.js';

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
    this._transport = new ApiTransport(options);
    this._json = this._transport.json.bind(this._transport);
    this.baseUrl = this._transport.baseUrl;
    this.token = this._transport.token;
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
   * {@link IJobQuery}); without `projectId`, of every project.
   */
  listJobs(query: IJobQuery = {}): Promise<JobPage> {
    const qs = filterParams(query).toString();
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
  getSeries(id: string, query: ISeriesQuery = {}): Promise<SeriesData> {
    return this._json(
      'series-data',
      'GET',
      `/api/jobs/${enc(id)}/series?${seriesParams(query)}`
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
    query: ILeaderboardQuery
  ): Promise<Leaderboard> {
    return this._json(
      'leaderboard',
      'GET',
      `/api/projects/${enc(projectId)}/leaderboard?${filterParams(query)}`
    );
  }

  /** The URL of the leaderboard as CSV (a download link; cookies sign it in). */
  leaderboardCsvUrl(projectId: string, query: ILeaderboardQuery): string {
    const params = filterParams(query);
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
  getTable(id: string, query: ITableQuery): Promise<TablePage> {
    return this._json(
      'table-page',
      'GET',
      `/api/jobs/${enc(id)}/table?${tableParams(query)}`
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
  askChat(
    id: string,
    body: ChatRequest,
    handlers: IChatHandlers = {}
  ): Promise<ChatMessage> {
    return readChatAnswer(this._transport, id, body, handlers);
  }

  /**
   * The events of a job, live, as an async iterable, resumed after a drop
   * (see {@link jobEventStream}).
   *
   * @param options.afterSeq - resume after this sequence number (0: from the start).
   * @throws JaxLabError when the server refuses (e.g. `JOB_NOT_FOUND`), when
   * an event breaks the JobEvent schema (`INVALID_RESPONSE`), or after
   * `maxRetries` failed reconnections in a row (`NETWORK_ERROR`).
   */
  jobEvents(
    id: string,
    options: { afterSeq?: number; signal?: AbortSignal } = {}
  ): AsyncGenerator<JobEvent, void, undefined> {
    return jobEventStream(this._transport, id, {
      ...options,
      retryDelayMs: this._retryDelayMs,
      maxRetries: this._maxRetries
    });
  }

  private _request(method: string, path: string): Promise<Response> {
    return this._transport.request(path, { method });
  }

  /** The answer of a request, checked against its schema. */
  private _json: ApiTransport['json'];
  private _transport: ApiTransport;
  private _retryDelayMs: number;
  private _maxRetries: number;
}

/** Statics of {@link ApiClient}. */
export namespace ApiClient {
  /** Options of {@link ApiClient}. */
  export interface IOptions extends ApiTransport.IOptions {
    /** Delay before reconnecting a dropped event stream, ms. */
    retryDelayMs?: number;
    /** Failed reconnections in a row before giving up. */
    maxRetries?: number;
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/** A project file's URL, its path one encoded segment (as the API documents it). */
function fileUrl(id: string, path: string): string {
  return `/api/projects/${enc(id)}/files/${encodeURIComponent(path)}`;
}
