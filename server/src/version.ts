import { readFileSync } from 'node:fs';

/** This server's version, from its package.json (src/ and lib/ sit beside it). */
export const SERVER_VERSION: string = (
  JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  ) as { version: string }
).version;
