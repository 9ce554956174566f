import { describeOperationUnits } from './fixtures/graphql-cases';

describeOperationUnits('mercurius-fastify');
