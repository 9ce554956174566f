import { createAppModule } from '../fixtures/nestjs-cls-transactional-app/app.module.moved';
import { describeClsTransactionalApp } from './nestjs-cls-transactional-cases';

// The same application moved: its imports of '@nestjs-cls/transactional' and of the TypeORM adapter name
// 'nestjs-advanced-alchemy/nestjs-cls-transactional' (done for the fixture's files by the mocks below, as a
// search-and-replace does it in an application); its root module is app.module.moved.ts.
jest.mock('@nestjs-cls/transactional', () => jest.requireActual('nestjs-advanced-alchemy/nestjs-cls-transactional'));
jest.mock('@nestjs-cls/transactional-adapter-typeorm', () =>
  jest.requireActual('nestjs-advanced-alchemy/nestjs-cls-transactional'),
);

describeClsTransactionalApp(
  'The application moved to nestjs-advanced-alchemy/nestjs-cls-transactional',
  createAppModule,
);
