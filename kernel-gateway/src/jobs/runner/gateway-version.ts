import { readFileSync } from 'node:fs';

/** Version of this package, recorded in every run manifest. */
export const GATEWAY_VERSION: string = (() => {
  try {
    // src/jobs/runner/ and lib/jobs/runner/ are both three levels down.
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
})();
