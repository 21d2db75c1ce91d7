import { isJaxLabError, validateRequirements } from '@jaxlab/schemas';

import type {
  EnvironmentBuilder,
  IRequirementsEnvironment
} from '../requirements/environment-builder.js';
import type { ForcedEnd } from './forced-end.js';
import { rejected } from './job-outcome.js';
import type { JobOutcome } from './job-outcome.js';

/**
 * The environment phase of a job: validates its requirements.txt here too
 * (never trust the submitter), then builds or reuses their environment
 * (`null`: none needed), saying so in the job's log. Ends the job when
 * they are rejected (by the validator or pip) or an end was forced while
 * the build ran (which it stops).
 */
export async function prepareEnvironment(
  requirements: string,
  options: {
    envBuilder: EnvironmentBuilder;
    forced: ForcedEnd;
    logLine: (stream: 'stdout' | 'stderr', text: string) => void;
  }
): Promise<
  { environment: IRequirementsEnvironment | null } | { outcome: JobOutcome }
> {
  const { forced, logLine } = options;
  let sanitized: string;
  try {
    sanitized = validateRequirements(requirements).sanitized;
  } catch (error) {
    if (isJaxLabError(error) && error.code === 'REQUIREMENTS_REJECTED') {
      return { outcome: rejected(error) };
    }
    throw error;
  }
  if (sanitized) {
    logLine('stdout', `Installing requirements:\n${sanitized}`);
  }
  let environment: IRequirementsEnvironment | null;
  try {
    environment = await options.envBuilder.build(sanitized, {
      signal: forced.signal,
      onOutput: logLine
    });
  } catch (error) {
    if (forced.outcome) {
      return { outcome: forced.outcome };
    }
    if (isJaxLabError(error) && error.code === 'REQUIREMENTS_REJECTED') {
      return { outcome: rejected(error) };
    }
    throw error;
  }
  if (environment) {
    logLine(
      'stdout',
      `Using requirements environment ${environment.sha256.slice(0, 12)} (${environment.reused ? 'cached' : 'built'}).\n`
    );
  }
  return { environment };
}
