import { DuplicateKeyError } from '../errors/duplicate-key.error';
import { ForeignKeyError } from '../errors/foreign-key.error';
import { IntegrityError } from '../errors/integrity.error';
import { InvalidFilterError } from '../errors/invalid-filter.error';
import { NotFoundError } from '../errors/not-found.error';
import { RepositoryError } from '../errors/repository.error';
import { repositoryErrorStatus } from './repository-exception.filter';

describe('repositoryErrorStatus', () => {
  it.each([
    [new NotFoundError('x'), 404],
    [new DuplicateKeyError(), 409],
    [new ForeignKeyError(), 409],
    [new IntegrityError(), 422],
    [new InvalidFilterError('x'), 400],
    [new RepositoryError('x'), 500],
  ])('%s → %i (the most specific class decides)', (error, status) => {
    expect(repositoryErrorStatus(error).statusCode).toBe(status);
  });
});
