import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { MaxDepthPipe } from 'nestjs-advanced-alchemy';
import { setUpOpenApi } from './openapi';

/**
 * What main.ts sets on the application besides its module, shared with the e2e tests: validation
 * of every body with the DTOs' class-validator rules, the OpenAPI page, and shutdown on signals.
 * Returns whether Swagger UI is served (see `setUpOpenApi`).
 */
export function configureApp(app: INestApplication): { swaggerUi: boolean } {
  // MaxDepthPipe first: a body nested thousands of levels deep would overflow class-transformer's
  // recursion inside the ValidationPipe (a 500); it is a 400 instead.
  // whitelist + forbidNonWhitelisted: a field the DTO does not declare is a 400, not silently dropped.
  app.useGlobalPipes(
    new MaxDepthPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  // SIGINT/SIGTERM close the application: requests in flight end, then the module closes the databases.
  app.enableShutdownHooks();
  return { swaggerUi: setUpOpenApi(app) };
}
