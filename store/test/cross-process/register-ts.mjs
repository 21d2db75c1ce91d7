// Use with `node --import ./register-ts.mjs script.ts`.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
