import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@SkipSessionScope()`. */
export const SKIP_SESSION_SCOPE = 'nestjs-advanced-alchemy:skip-session-scope';

/**
 * On a handler (or its class): the module opens no unit of work for it, whatever the entry point;
 * the handler may open its own with `advancedAlchemy.withSession(…)`.
 */
export const SkipSessionScope = (): ClassDecorator & MethodDecorator => SetMetadata(SKIP_SESSION_SCOPE, true);
