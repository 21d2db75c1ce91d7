import type {
  HostInfo,
  Job,
  JobCreate,
  JobEvent,
  JobStatus,
  LogChunk,
  Project,
  ProjectWrite,
  Review,
  ReviewRequest,
  User
} from '@jaxlab/schemas';
import { ApiError, NETWORK_ERROR, errorFromResponse } from './api-error.js';
import { SseParser } from './sse-parser.js';

/** A sample problem the server offers to start a project from. */
export interface ISample {
  /** Sample id, passed as `sample` when creating a project. */
  id: string;
  /** Human title (the new project's default name). */
  title?: string;
  /** Older servers: human name. */
  name?: string;
  /** One-line summary. */
  description?: string;
}

/** A page of jobs. */
export interface IJobPage {
  /** Jobs, newest first. */
  items: Job[];
  /** Cursor of the next page, null on the last. */
  nextCursor: string | null;
}

/** A page of log chunks. */
export interface ILogPage {
  /** Chunks in sequence order. */
  items: LogChunk[];
  /** Sequence number to pass as `after` for the next page, null at the end. */
  nextAfter: number | null;
}

/** Statuses after which a job never changes again. */
export const FINAL_STATUSES: readonly JobStatus[] = [
  'COMPLETED',
  'FAILED',
  'CANCELLED'
];

/**
 * Typed client of the JAX TPU Lab server's REST API.
 *
 * Every call sends the personal token as `Authorization: Bearer` when one is
 * set and the session cookie otherwise (`credentials: 'include'`). Failures
 * throw {@link ApiError} with the server's stable `code`.
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

  /** The signed-in user. @throws ApiError `UNAUTHORIZED` when signed out. */
  me(): Promise<User> {
    return this._json('GET', '/api/me');
  }

  /** Sample problems. */
  async listSamples(): Promise<ISample[]> {
    return itemsOf<ISample>(await this._json('GET', '/api/samples'));
  }

  /** The user's projects. */
  async listProjects(): Promise<Project[]> {
    return itemsOf<Project>(await this._json('GET', '/api/projects'));
  }

  /** Create a project, e.g. `{name, sample}` to start from a sample. */
  createProject(body: ProjectWrite): Promise<Project> {
    return this._json('POST', '/api/projects', body);
  }

  /** One project. */
  getProject(id: string): Promise<Project> {
    return this._json('GET', `/api/projects/${enc(id)}`);
  }

  /** Change some fields of a project. */
  updateProject(id: string, patch: ProjectWrite): Promise<Project> {
    return this._json('PATCH', `/api/projects/${enc(id)}`, patch);
  }

  /** Delete a project. */
  async deleteProject(id: string): Promise<void> {
    await this._request('DELETE', `/api/projects/${enc(id)}`);
  }

  /** Hosts of the connected gateways and the accelerators they offer. */
  async listHosts(): Promise<HostInfo[]> {
    return itemsOf<HostInfo>(await this._json('GET', '/api/hosts'));
  }

  /** Review code: lint findings and the model's Markdown. */
  review(body: ReviewRequest): Promise<Review> {
    return this._json('POST', '/api/review', { ...body, stream: false });
  }

  /** Submit a job; answers as soon as it is queued. */
  async createJob(body: JobCreate): Promise<Job> {
    const answer = await this._json<{ jobId: string; job?: Job }>(
      'POST',
      '/api/jobs',
      body
    );
    return answer.job ?? (await this.getJob(answer.jobId));
  }

  /** A page of the user's jobs, newest first. */
  async listJobs(
    query: {
      projectId?: string;
      status?: JobStatus;
      limit?: number;
      cursor?: string;
    } = {}
  ): Promise<IJobPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    const page = await this._json<IJobPage | Job[]>(
      'GET',
      `/api/jobs${qs ? `?${qs}` : ''}`
    );
    return Array.isArray(page)
      ? { items: page, nextCursor: null }
      : { items: page.items, nextCursor: page.nextCursor ?? null };
  }

  /** One job. */
  getJob(id: string): Promise<Job> {
    return this._json('GET', `/api/jobs/${enc(id)}`);
  }

  /** A page of a job's log chunks after sequence number `after`. */
  async getLogs(id: string, after = 0, limit = 1000): Promise<ILogPage> {
    const page = await this._json<
      { items: LogChunk[]; nextAfter?: number | null } | LogChunk[]
    >('GET', `/api/jobs/${enc(id)}/logs?after=${after}&limit=${limit}`);
    const items = Array.isArray(page) ? page : page.items;
    const nextAfter = Array.isArray(page)
      ? items.length
        ? items[items.length - 1].seq
        : null
      : (page.nextAfter ??
        (items.length === limit ? items[items.length - 1].seq : null));
    return { items, nextAfter: items.length ? nextAfter : null };
  }

  /** Ask for a job to be cancelled. */
  async cancelJob(id: string): Promise<Job | null> {
    const response = await this._request('POST', `/api/jobs/${enc(id)}/cancel`);
    const text = await response.text();
    return text ? (JSON.parse(text) as Job) : null;
  }

  /** A run exported as an nbformat 4 notebook. */
  getNotebook(id: string): Promise<Record<string, unknown>> {
    return this._json('GET', `/api/jobs/${enc(id)}/notebook`);
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
   * @throws ApiError when the server refuses (e.g. `NOT_FOUND`) or after
   * `maxRetries` failed reconnections in a row.
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
          throw new ApiError(
            NETWORK_ERROR,
            'The event stream is unreachable.',
            {
              cause: error,
              hint: 'Check that the JAX TPU Lab server is running.'
            }
          );
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
            const event = JSON.parse(raw.data) as JobEvent;
            const seq = event.seq ?? Number(raw.id);
            if (seq <= lastSeq) {
              continue;
            }
            lastSeq = seq;
            failures = 0;
            yield event;
            if (
              event.type === 'job:status' &&
              FINAL_STATUSES.includes(event.status)
            ) {
              return;
            }
          }
        }
      } catch (error) {
        if (signal?.aborted) {
          return;
        }
        if (error instanceof SyntaxError) {
          throw new ApiError(
            'INVALID_RESPONSE',
            'The server sent a malformed event.',
            {
              cause: error
            }
          );
        }
        // The connection dropped: resume below.
      } finally {
        reader.releaseLock?.();
      }
      if (signal?.aborted) {
        return;
      }
      if (++failures > this._maxRetries) {
        throw new ApiError(NETWORK_ERROR, 'The event stream keeps closing.', {
          hint: 'Check that the JAX TPU Lab server is running.'
        });
      }
      await sleep(failures > 1 ? this._retryDelayMs : 0, signal);
    }
  }

  private async _json<T>(
    method: string,
    path: string,
    body?: unknown
  ): Promise<T> {
    const response = await this._request(method, path, body);
    return (await response.json()) as T;
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
      throw new ApiError(NETWORK_ERROR, `Cannot reach ${this.baseUrl}.`, {
        cause: error,
        hint: 'Check the server URL in Settings → JAX TPU Lab and that the server is running.'
      });
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

function enc(id: string): string {
  return encodeURIComponent(id);
}

function itemsOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) {
    return value as T[];
  }
  const record = value as { items?: T[] } | null;
  return record?.items ?? [];
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
