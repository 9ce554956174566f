import { createAppModule } from '../fixtures/typeorm-transactional-app/app.module';
import { describeTypeormTransactionalApp } from './typeorm-transactional-cases';

// The fixture application on typeorm-transactional 0.5 itself, as its README sets it up.
describeTypeormTransactionalApp('An application on typeorm-transactional', createAppModule);
