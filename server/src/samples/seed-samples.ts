import type { Project, User } from '@jaxlab/schemas';
import type { IProjects } from '@jaxlab/store';
import { withProjectDefaults } from '../projects/project-defaults.js';
import { SAMPLE_PROBLEMS, loadSample } from './sample-catalog.js';

/**
 * Gives a user with no projects one project per sample problem, so the lab
 * opens on something runnable. Does nothing when they have any project.
 * Returns the projects created.
 */
export async function seedSampleProjects(
  projects: IProjects,
  user: Pick<User, 'id'>
): Promise<Project[]> {
  if ((await projects.list(user.id)).length > 0) return [];
  const out: Project[] = [];
  for (const info of SAMPLE_PROBLEMS) {
    const s = await loadSample(info.id);
    out.push(
      await projects.create(
        user.id,
        withProjectDefaults({
          name: s.title,
          readme: s.readme,
          mainPy: s.mainPy,
          requirements: s.requirements,
          sample: s.id
        })
      )
    );
  }
  return out;
}
