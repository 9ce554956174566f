import { describeNestNewProject, PROJECTS } from './support/nest-new-project-suite';

// The project `nest new` makes, with the README's quick start (test/fixtures/nest-new-esm).
jest.setTimeout(20 * 60_000);

describeNestNewProject(PROJECTS.esm);
