import { Inject } from '@nestjs/common';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';
import { getSessionToken, requestedBindKeys } from './tokens';

/**
 * Injects the scoped `Session` of a bind key. The injecting provider stays a singleton: the session
 * resolves to the current request's own session on every use.
 */
export function InjectSession(bindKey: string = DEFAULT_BIND_KEY): PropertyDecorator & ParameterDecorator {
  requestedBindKeys.add(bindKey);
  return Inject(getSessionToken(bindKey));
}
