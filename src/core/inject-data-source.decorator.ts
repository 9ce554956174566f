import { Inject } from '@nestjs/common';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';
import { getDataSourceToken, requestedBindKeys } from './tokens';

/** Injects the TypeORM DataSource of a bind key. */
export function InjectDataSource(bindKey: string = DEFAULT_BIND_KEY): PropertyDecorator & ParameterDecorator {
  requestedBindKeys.add(bindKey);
  return Inject(getDataSourceToken(bindKey));
}
