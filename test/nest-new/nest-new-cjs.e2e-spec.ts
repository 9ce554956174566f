import { describeNestNewProject, PROJECTS } from './support/nest-new-project-suite';

// The project `nest new --type cjs` makes, with the README's quick start (test/fixtures/nest-new-cjs).
jest.setTimeout(20 * 60_000);

describeNestNewProject(PROJECTS.cjs);
