import { describeOperationUnits } from './fixtures/graphql-cases';

describeOperationUnits('apollo-express');
