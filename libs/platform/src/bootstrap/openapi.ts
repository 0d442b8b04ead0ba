import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  API_KEY_SECURITY_SCHEME,
  documentRequestRefusals,
  JWT_SECURITY_SCHEME,
} from '../openapi/api-operation.js';

/** A tag of the document: the group of operations it names, described once. */
export interface OpenApiTag {
  readonly name: string;
  readonly description: string;
}

/** What the OpenAPI document says about the service. */
export interface OpenApiOptions {
  readonly title: string;
  readonly version?: string;
  readonly description?: string;
  /** Every tag the service's operations use (`@ApiTags`), with its description. */
  readonly tags?: readonly OpenApiTag[];
  /** Base URL of the service as a developer runs it (the document's `servers`). */
  readonly serverUrl?: string;
}

/** Path of the Swagger UI; the JSON document is at `${DOCS_PATH}/json`. */
export const DOCS_PATH = '/docs';

/** The conventional path of the JSON document (`@nestjs/swagger`'s default), besides `/docs/json`. */
export const DOCS_JSON_PATH = '/docs-json';

const UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

/**
 * Serves the OpenAPI document of the app at `/docs/json` and `/docs-json`, and a Swagger UI at
 * `/docs`.
 *
 * `SwaggerModule.setup` serves the UI's assets through `@fastify/static`, which is not a
 * dependency of this repository (and Nest exits the process when it is missing), so the
 * document comes from `SwaggerModule` with `ui: false` and the page and its two assets
 * (from `swagger-ui-dist`, which `@nestjs/swagger` ships) are served here.
 */
export function setupOpenApi(app: NestFastifyApplication, options: OpenApiOptions): void {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version ?? '1')
    .setDescription(options.description ?? `The ${options.title} HTTP API.`)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token of the identity service (`POST /api/v1/auth/login`).',
      },
      JWT_SECURITY_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ihf_<prefix>_<secret>',
        description:
          "A hub's API key (`POST /api/v1/hubs/{hubId}/api-keys` of ingestion), sent as a bearer token by the browser SDK.",
      },
      API_KEY_SECURITY_SCHEME,
    );
  for (const tag of options.tags ?? []) builder.addTag(tag.name, tag.description);
  if (options.serverUrl) builder.addServer(options.serverUrl, 'The service as run locally');
  const config = builder.build();
  config.info.contact = { name: 'IHF maintainers' };
  const withRequestRefusals = (
    built: ReturnType<typeof SwaggerModule.createDocument>,
  ): ReturnType<typeof SwaggerModule.createDocument> => {
    documentRequestRefusals(built as unknown as Parameters<typeof documentRequestRefusals>[0]);
    return built;
  };
  let document: ReturnType<typeof SwaggerModule.createDocument> | undefined;
  const createDocument = (): ReturnType<typeof SwaggerModule.createDocument> =>
    (document ??= withRequestRefusals(SwaggerModule.createDocument(app, config)));
  SwaggerModule.setup(DOCS_PATH, app, createDocument, {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: `${DOCS_PATH}/json`,
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.get(DOCS_JSON_PATH, (_request, reply) => {
    void reply.type('application/json; charset=utf-8').send(createDocument());
  });
  const assetsDir = swaggerUiDistDir();
  fastify.get(DOCS_PATH, (_request, reply) => {
    void reply
      .type('text/html; charset=utf-8')
      .send(assetsDir ? uiPage(options.title) : fallbackPage(options.title));
  });
  fastify.get(`${DOCS_PATH}/swagger-ui-init.js`, (_request, reply) => {
    void reply
      .type('application/javascript; charset=utf-8')
      .send(`window.ui = SwaggerUIBundle({ url: '${DOCS_PATH}/json', dom_id: '#swagger-ui' });\n`);
  });
  if (!assetsDir) return;
  for (const [file, type] of Object.entries(UI_ASSETS)) {
    let content: Buffer | undefined;
    fastify.get(`${DOCS_PATH}/${file}`, (_request, reply) => {
      content ??= readFileSync(join(assetsDir, file));
      void reply.type(type).header('cache-control', 'public, max-age=86400').send(content);
    });
  }
}

/** Directory of `swagger-ui-dist`, resolved from `@nestjs/swagger` (whose dependency it is). */
function swaggerUiDistDir(): string | undefined {
  try {
    const fromSwagger = createRequire(require.resolve('@nestjs/swagger'));
    return dirname(fromSwagger.resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function uiPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/swagger-ui-init.js"></script>
</body>
</html>
`;
}

function fallbackPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><p>The OpenAPI document is at <a href="${DOCS_PATH}/json">${DOCS_PATH}/json</a>.</p></body>
</html>
`;
}
