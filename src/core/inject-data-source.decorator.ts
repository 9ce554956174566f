import { Inject } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';
import { requestedBindKeys } from './tokens';

/**
 * Injects a bind key's DataSource: the same token as `@nestjs/typeorm`'s `@InjectDataSource`, so
 * either import is right. This one also tells `forRootAsync` (whose bind keys are unknown until its
 * factory runs) to provide that bind key.
 */
export function InjectDataSource(bindKey: string = DEFAULT_BIND_KEY): PropertyDecorator & ParameterDecorator {
  requestedBindKeys.add(bindKey);
  return Inject(getDataSourceToken(bindKey));
}
