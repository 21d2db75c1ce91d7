/**
 * A minimal cookie jar for driving redirect dances with fetch
 * (`redirect: 'manual'`): keeps name=value pairs, drops cleared ones.
 */
export class CookieJar {
  /** Stores the cookies a response sets. */
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line))
        this._cookies.delete(name);
      else this._cookies.set(name, value);
    }
  }

  /** The Cookie header to send. */
  header(): string {
    return [...this._cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A copy of this jar (e.g. to replay an old cookie later). */
  clone(): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of this._cookies) j._cookies.set(k, v);
    return j;
  }

  /** fetch with this jar's cookies, storing what comes back. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(res);
    return res;
  }

  private _cookies = new Map<string, string>();
}
