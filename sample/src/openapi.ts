import { Logger, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Where the OpenAPI page is: `/docs` (Swagger UI), `/docs-json` (the document). */
export const DOCS_PATH = 'docs';

/**
 * Serves the OpenAPI document at /docs-json and, where it can, Swagger UI at /docs. On Fastify,
 * @nestjs/swagger serves the UI's files with the `@fastify/static` package; without it (it is not a
 * dependency of this repository) the sample serves the JSON document only and says so, instead of
 * letting @nestjs/swagger stop the process. Returns whether the UI is served.
 */
export function setUpOpenApi(app: INestApplication): boolean {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Library catalogue')
      .setDescription('The nestjs-advanced-alchemy sample: authors, books and loans, with an audit log.')
      .setVersion('0.1.0')
      .build(),
  );
  const onFastify = app.getHttpAdapter().getType() === 'fastify';
  if (onFastify && !isInstalled('@fastify/static')) {
    SwaggerModule.setup(DOCS_PATH, app, document, { ui: false });
    new Logger('OpenAPI').warn(
      `Swagger UI (/${DOCS_PATH}) is not served on Fastify: it needs the @fastify/static package ` +
        `(npm install @fastify/static). The OpenAPI document is at /${DOCS_PATH}-json.`,
    );
    return false;
  }
  SwaggerModule.setup(DOCS_PATH, app, document);
  return true;
}

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}
