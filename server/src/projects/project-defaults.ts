import type { ProjectWrite } from '@jaxlab/schemas';
import { DEFAULT_DESIGNATED_FUNCTIONS } from '@jaxlab/schemas';

/** Time limit of a project's runs when it names none: 10 minutes. */
export const DEFAULT_TIME_LIMIT_MS = 10 * 60 * 1000;

/**
 * A new project's fields with the defaults filled in: empty files (and no other files),
 * designated functions `main` and `train_step`, the CPU, 10 minutes, logs
 * kept forever.
 */
export function withProjectDefaults(
  input: ProjectWrite & { name: string }
): Required<Omit<ProjectWrite, 'sample' | 'logRetentionDays'>> &
  ProjectWrite & { name: string } {
  return {
    readme: '',
    mainPy: '',
    requirements: '',
    files: [],
    designatedFunctions: [...DEFAULT_DESIGNATED_FUNCTIONS],
    accelerator: 'cpu',
    timeLimitMs: DEFAULT_TIME_LIMIT_MS,
    ...input
  };
}
