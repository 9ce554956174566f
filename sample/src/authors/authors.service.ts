import { Injectable } from '@nestjs/common';
import { AlchemyRepositoryService, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { Author } from './author.entity';

/**
 * The repository service of `Author`: `get`, `list`, `listAndCount`, `create`, `update`, `delete`…
 * A singleton: the injected session resolves to the current request's own on every call, and the
 * `default` bind key's `autocommit` mode commits it when the response is a 2xx.
 */
@Injectable()
export class AuthorsService extends AlchemyRepositoryService<Author> {
  constructor(@InjectSession() session: Session) {
    super(session, Author);
  }
}
