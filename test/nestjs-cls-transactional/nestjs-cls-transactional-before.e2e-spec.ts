import { createAppModule } from '../fixtures/nestjs-cls-transactional-app/app.module';
import { describeClsTransactionalApp } from './nestjs-cls-transactional-cases';

// The fixture application on @nestjs-cls/transactional and its TypeORM adapter themselves.
describeClsTransactionalApp('An application on @nestjs-cls/transactional', createAppModule);
