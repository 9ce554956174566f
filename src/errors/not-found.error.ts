import { RepositoryError } from './repository.error';

/** No row matched: `get`, `getOne`, `update`, `delete` … of something that is not there (HTTP 404). */
export class NotFoundError extends RepositoryError {}
