// Vitest setup file of the server project (vitest.config.ts): from here on,
// every fetch a test makes checks the server's answer against its schema.
import { installCheckedFetch } from './checked-fetch.js';

installCheckedFetch();
