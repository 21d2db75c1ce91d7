export {
  RetentionSweeper,
  startRetentionSweeper
} from './retention-sweeper.js';
export type {
  IRetentionSweep,
  IRetentionSweeperOptions
} from './retention-sweeper.js';
