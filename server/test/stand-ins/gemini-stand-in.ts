import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stand-in received. */
export interface IRecordedGeminiRequest {
  method: string;
  path: string;
  query: string;
  apiKey: string | undefined;
  body: {
    contents?: Array<{ role?: string; parts?: Array<{ text?: string }> }>;
    systemInstruction?: { parts?: Array<{ text?: string }> };
  };
}

/** How the stand-in answers the next requests. */
export type GeminiBehaviour =
  | { kind: 'answer'; chunks: string[] }
  | { kind: 'status'; status: number; message: string }
  | { kind: 'hang' };

/**
 * A local stand-in of the Gemini REST API (`generativelanguage.googleapis.com`):
 * `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`, answering in Gemini's response format
 * and recording every request.
 */
export class GeminiStandIn {
  behaviour: GeminiBehaviour = { kind: 'answer', chunks: ['Looks ', 'good.'] };
  readonly requests: IRecordedGeminiRequest[] = [];

  async start(): Promise<string> {
    this._server = createServer((req, res) => {
      let raw = '';
      req.on('data', c => (raw += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        let body = {};
        try {
          body = JSON.parse(raw || '{}');
        } catch {
          // recorded as empty
        }
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.search,
          apiKey:
            (req.headers['x-goog-api-key'] as string | undefined) ??
            url.searchParams.get('key') ??
            undefined,
          body
        });
        const m =
          /^\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent)$/.exec(
            url.pathname
          );
        if (!m || req.method !== 'POST') {
          this._json(res, 404, {
            error: { code: 404, message: 'Not found', status: 'NOT_FOUND' }
          });
          return;
        }
        const b = this.behaviour;
        if (b.kind === 'hang') {
          this._hanging.push(res);
          return;
        }
        if (b.kind === 'status') {
          const status = b.status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL';
          this._json(res, b.status, {
            error: { code: b.status, message: b.message, status }
          });
          return;
        }
        if (m[2] === 'generateContent') {
          this._json(res, 200, candidate(b.chunks.join(''), m[1]));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const chunk of b.chunks)
          res.write(`data: ${JSON.stringify(candidate(chunk, m[1]))}\r\n\r\n`);
        res.end();
      });
    });
    await new Promise<void>(resolve =>
      this._server!.listen(0, '127.0.0.1', resolve)
    );
    const { port } = this._server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const r of this._hanging) r.destroy();
    this._hanging = [];
    const s = this._server;
    this._server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>(resolve => s.close(() => resolve()));
    }
  }

  private _json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  url = '';
  private _server: Server | undefined;
  private _hanging: ServerResponse[] = [];
}

function candidate(text: string, model: string): unknown {
  return {
    candidates: [
      {
        content: { role: 'model', parts: [{ text }] },
        finishReason: 'STOP',
        index: 0
      }
    ],
    usageMetadata: {
      promptTokenCount: 10,
      candidatesTokenCount: 5,
      totalTokenCount: 15
    },
    modelVersion: model
  };
}
