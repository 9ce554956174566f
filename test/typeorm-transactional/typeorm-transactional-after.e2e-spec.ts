import { createAppModule } from '../fixtures/typeorm-transactional-app/app.module.moved';
import { describeTypeormTransactionalApp } from './typeorm-transactional-cases';

// The same application moved: its imports of 'typeorm-transactional' now name
// 'nestjs-advanced-alchemy/typeorm-transactional' (done here for the fixture's files by the mock below,
// as a search-and-replace does it in an application), and its root module is app.module.moved.ts.
jest.mock('typeorm-transactional', () => jest.requireActual('nestjs-advanced-alchemy/typeorm-transactional'));

describeTypeormTransactionalApp(
  'The application moved to nestjs-advanced-alchemy/typeorm-transactional',
  createAppModule,
);
