import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/** The user the stand-in signs in. */
export interface IStandInUser {
  sub: string;
  email: string;
  name: string;
}

/**
 * A local OAuth 2.0 / OpenID Connect stand-in for Google: `/authorize`
 * redirects straight back with a code and the caller's state, `/token`
 * swaps the code for an access token, `/userinfo` answers the user in
 * Google's v3 userinfo shape.
 */
export class OAuthStandIn {
  /** Who the next `/authorize` signs in. */
  user: IStandInUser = {
    sub: '1001',
    email: 'ada@example.com',
    name: 'Ada Lovelace'
  };

  async start(): Promise<string> {
    this._server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/authorize') {
        const code = randomBytes(8).toString('hex');
        this._codes.set(code, this.user);
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        const state = url.searchParams.get('state');
        if (state) back.searchParams.set('state', state);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        let body = '';
        req.on('data', c => (body += c));
        req.on('end', () => {
          const code = new URLSearchParams(body).get('code') ?? '';
          const user = this._codes.get(code);
          this._codes.delete(code);
          if (!user) {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: 'invalid_grant' }));
            return;
          }
          const token = randomBytes(8).toString('hex');
          this._tokens.set(token, user);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              access_token: token,
              token_type: 'Bearer',
              expires_in: 3600
            })
          );
        });
        return;
      }
      if (url.pathname === '/userinfo') {
        // The oauth library sends the token as a query parameter; accept both.
        const auth = req.headers.authorization ?? '';
        const token =
          url.searchParams.get('access_token') ?? auth.replace(/^Bearer /, '');
        const user = this._tokens.get(token);
        if (!user) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...user,
            email_verified: true,
            given_name: user.name.split(' ')[0]
          })
        );
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>(resolve =>
      this._server!.listen(0, '127.0.0.1', resolve)
    );
    const { port } = this._server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  /** The server's Google sign-in options pointed at this stand-in. */
  googleOptions() {
    return {
      clientId: 'client-1',
      clientSecret: 'shh',
      callbackUrl: '/auth/google/callback',
      authorizationUrl: `${this.url}/authorize`,
      tokenUrl: `${this.url}/token`,
      userProfileUrl: `${this.url}/userinfo`
    };
  }

  async stop(): Promise<void> {
    const s = this._server;
    this._server = undefined;
    if (s) await new Promise<void>(resolve => s.close(() => resolve()));
  }

  url = '';
  private _server: Server | undefined;
  private _codes = new Map<string, IStandInUser>();
  private _tokens = new Map<string, IStandInUser>();
}
