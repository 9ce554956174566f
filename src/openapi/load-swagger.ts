import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/** The part of @nestjs/swagger the decorators use. */
export type Swagger = Pick<
  typeof import('@nestjs/swagger'),
  'ApiQuery' | 'ApiBadRequestResponse' | 'ApiExtraModels' | 'ApiOkResponse' | 'getSchemaPath'
>;

let swagger: Swagger | undefined;

/**
 * @nestjs/swagger is an optional peer: loaded when a decorator is applied (the application
 * documents its API), never by importing the library. `decorator` names the one that needs it.
 */
export function loadSwagger(decorator: string): Swagger {
  if (swagger) return swagger;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on first use
    swagger = require('@nestjs/swagger') as Swagger;
    return swagger;
  } catch (error) {
    throw new ImproperConfigurationError(
      `${decorator} documents the endpoint for @nestjs/swagger, which cannot be loaded: npm install @nestjs/swagger. ` +
        `(${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}
