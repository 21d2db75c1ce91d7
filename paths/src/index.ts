/**
 * @jaxlab/paths: where the parts of a JAX TPU Lab checkout live.
 *
 * @packageDocumentation
 */
export { labPaths } from './lab-paths.js';
export type { ILabPaths } from './lab-paths.js';
