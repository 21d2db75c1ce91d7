import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabServer, issueApiToken } from '@jaxlab/server';
import type { ILabServer, ILabServerDeps } from '@jaxlab/server';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

/** Options of {@link startLabServer}: the server's deps, all optional. */
export type TestLabServerOptions = Partial<Omit<ILabServerDeps, 'store'>> & {
  /**
   * The store, owned by the caller (default: a fresh SQLite store in a temp
   * dir, disposed and removed on close).
   */
  store?: IStore;
};

/** A running control plane for tests, built by the same `createLabServer` as production. */
export interface ITestLabServer {
  url: string;
  store: IStore;
  lab: ILabServer;
  /** Local mode's login token. */
  localToken: string;
  /**
   * A signed-in user `name` (created on first use, with an API token):
   * `fetch` against the server as that user.
   */
  as(name: string): Promise<ITestUser>;
  /** Closes the server, then the store it made (a given store stays open). */
  close(): Promise<void>;
}

/** A user of {@link ITestLabServer.as}. */
export interface ITestUser {
  id: string;
  token: string;
  /** fetch `path` with the user's bearer token (and a JSON body if given). */
  call(method: string, path: string, init?: ITestUser.IInit): Promise<Response>;
}

/** Statics of {@link ITestUser}. */
export namespace ITestUser {
  /** What {@link ITestUser.call} sends besides the token. */
  export interface IInit {
    /** Sent as JSON. */
    body?: unknown;
    /** Sent as it is, with Content-Type: application/json. */
    raw?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  }
}

/**
 * Starts the real control plane (`createLabServer`: real auth in local
 * mode, every router, rate limits and retention) on a free port of
 * 127.0.0.1. Errors are not logged unless `log` is given.
 */
export async function startLabServer(
  options: TestLabServerOptions = {}
): Promise<ITestLabServer> {
  const dir = options.store
    ? undefined
    : await mkdtemp(join(tmpdir(), 'jxl-srv-'));
  const store =
    options.store ??
    (await openStore({ sqlite: { path: join(dir!, 'jaxlab.db') } }));
  const lab = createLabServer({ log: () => {}, ...options, store });
  const { port } = await lab.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const users = new Map<string, Promise<ITestUser>>();
  const signUp = async (name: string): Promise<ITestUser> => {
    const user = await store.accounts.upsertUser({
      provider: 'google',
      subject: name,
      email: `${name}@example.test`,
      name
    });
    const { token } = await issueApiToken(
      store.accounts,
      user.id,
      `${name}'s tests`
    );
    return {
      id: user.id,
      token,
      call: (method, path, init = {}) =>
        fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(init.body !== undefined || init.raw !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
            ...init.headers
          },
          signal: init.signal,
          body:
            init.raw ??
            (init.body === undefined ? undefined : JSON.stringify(init.body))
        })
    };
  };
  return {
    url,
    store,
    lab,
    localToken: lab.auth.localToken!,
    as: name => {
      let user = users.get(name);
      if (!user) users.set(name, (user = signUp(name)));
      return user;
    },
    close: async () => {
      await lab.close();
      if (dir) {
        await store.dispose();
        await rm(dir, { recursive: true, force: true });
      }
    }
  };
}
