import type { ISchemaTypes, ShapeName } from '@jaxlab/schemas/contract';
import { shapeErrors } from '@jaxlab/schemas/contract';
import {
  errorFromResponse,
  invalidResponse,
  networkError
} from './api-error.js';

/**
 * How {@link ApiClient} reaches the server: the base URL, the credentials
 * every request carries (the personal token as `Authorization: Bearer` when
 * one is set, the session cookie otherwise) and the fetch that sends them.
 */
export class ApiTransport {
  /** Make a transport; nothing is sent until a method is called. */
  constructor(options: ApiTransport.IOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? '';
    this._fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Server base URL without trailing slash. */
  readonly baseUrl: string;
  /** Personal API token, or '' to rely on the session cookie. */
  readonly token: string;

  /**
   * Send a request to `path` with the credentials; rejects as fetch does
   * (callers that retry map the errors themselves).
   */
  send(path: string, init: ApiTransport.IRequestInit = {}): Promise<Response> {
    const headers = new Headers({ Accept: init.accept ?? 'application/json' });
    if (this.token) {
      headers.set('Authorization', `Bearer ${this.token}`);
    }
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      headers.set(name, value);
    }
    if (init.body !== undefined) {
      headers.set('Content-Type', 'application/json');
    }
    return this._fetch(`${this.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      credentials: 'include',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal
    });
  }

  /**
   * The answer of a request that succeeded.
   *
   * @throws JaxLabError `NETWORK_ERROR` when the server cannot be reached,
   * the server's error (see `errorFromResponse`) when it refused.
   */
  async request(
    path: string,
    init: ApiTransport.IRequestInit = {}
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.send(path, init);
    } catch (error) {
      throw networkError(`Cannot reach ${this.baseUrl}.`, error);
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    return response;
  }

  /**
   * The answer of a request, checked against schema `shape`.
   *
   * @throws JaxLabError `INVALID_RESPONSE` when it is no JSON or breaks the
   * schema, and what {@link ApiTransport.request} throws.
   */
  async json<N extends ShapeName>(
    shape: N,
    method: string,
    path: string,
    body?: unknown
  ): Promise<ISchemaTypes[N]> {
    const response = await this.request(path, { method, body });
    let answer: unknown;
    try {
      answer = await response.json();
    } catch (error) {
      throw invalidResponse(`${method} ${path} answered no JSON`, [
        String(error)
      ]);
    }
    return checkShape(shape, answer, `${method} ${path} answered no ${shape}`);
  }

  private _fetch: typeof fetch;
}

/** Statics of {@link ApiTransport}. */
export namespace ApiTransport {
  /** Options of {@link ApiTransport}. */
  export interface IOptions {
    /** Server base URL, e.g. `http://127.0.0.1:8700`. */
    baseUrl: string;
    /** Personal API token or the local login token; '' for cookies only. */
    token?: string;
    /** fetch to use (tests inject one). */
    fetch?: typeof fetch;
  }

  /** One request: method (GET), JSON body, `Accept` (JSON) and more headers. */
  export interface IRequestInit {
    method?: string;
    /** Sent as JSON. */
    body?: unknown;
    accept?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  }
}

/**
 * `value` as schema `shape` says it is.
 *
 * @throws JaxLabError `INVALID_RESPONSE` with `what` and the schema's
 * problems when it is not.
 */
export function checkShape<N extends ShapeName>(
  shape: N,
  value: unknown,
  what: string
): ISchemaTypes[N] {
  const problems = shapeErrors(shape, value);
  if (problems.length > 0) {
    throw invalidResponse(what, problems);
  }
  return value as ISchemaTypes[N];
}

/**
 * The data of a streamed event: JSON of schema `shape`.
 *
 * @throws JaxLabError `INVALID_RESPONSE` saying `<source> sent an event
 * that is not JSON` or `<source> sent an invalid <name>`.
 */
export function parseEventData<N extends ShapeName>(
  shape: N,
  data: string,
  source: string,
  name: string
): ISchemaTypes[N] {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw invalidResponse(`${source} sent an event that is not JSON`, [
      String(error)
    ]);
  }
  return checkShape(shape, value, `${source} sent an invalid ${name}`);
}
