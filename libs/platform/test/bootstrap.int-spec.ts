import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  type OnModuleInit,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsString, ValidateNested } from 'class-validator';
import {
  DomainError,
  HealthRegistry,
  ObservabilityModule,
  type Problem,
  RequestContext,
} from '@ihf/observability';
import { createServiceApp, MAX_JSON_DEPTH, ServiceConfig } from '@ihf/platform';

// A tiny service: one controller with the cases to check, a fake readiness check to toggle,
// and the log lines captured in memory.

class EventDto {
  @IsIn(['click', 'view'])
  event_type!: string;
}

class BatchDto {
  @IsString()
  hub!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EventDto)
  items!: EventDto[];
}

class TransitionNotAllowedError extends DomainError {
  constructor(from: string, to: string) {
    super({
      code: 'PROBE.TRANSITION_NOT_ALLOWED',
      status: 409,
      message: `Cannot move from '${from}' to '${to}'`,
      extensions: { allowed_transitions: ['accepted'] },
    });
  }
}

@Controller('api/v1/probe')
class ProbeController {
  @Post('batches')
  create(@Body() batch: BatchDto): { count: number; is_dto: boolean } {
    return { count: batch.items.length, is_dto: batch instanceof BatchDto };
  }

  @Get('transition')
  transition(): never {
    throw new TransitionNotAllowedError('new', 'done');
  }

  @Get('boom')
  boom(): never {
    throw new Error('db password=hunter2 at 10.0.0.7');
  }

  @Get('context')
  async context(): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return RequestContext.current();
  }

  @Get('items/:id')
  item(@Param('id') id: string, @Query('q') q?: string): { id: string; q?: string } {
    return { id, q };
  }
}

const fake = { healthy: true };

@Injectable()
class FakeCheck implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}

  onModuleInit(): void {
    this.health.register('fake', () =>
      fake.healthy ? Promise.resolve() : Promise.reject(new Error('fake is down')),
    );
  }
}

const lines: string[] = [];
const logs = (): Record<string, unknown>[] =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>);

@Module({
  imports: [
    ObservabilityModule.forRoot({
      service: 'probe',
      logLevel: 'debug',
      logDestination: { write: (line: string) => void lines.push(line) },
    }),
  ],
  controllers: [ProbeController],
  providers: [FakeCheck],
})
class ProbeModule {}

describe('createServiceApp (Fastify inject)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp({
      name: 'probe',
      module: ProbeModule,
      defaultPort: 0,
      bodyLimit: 1024,
      env: { LOG_LEVEL: 'silent' },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    fake.healthy = true;
    lines.length = 0;
  });

  const problemOf = (body: string): Problem => JSON.parse(body) as Problem;

  it('answers /health/live with 200', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with 200, then 503 naming the failing check', async () => {
    const ok = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', checks: { fake: { status: 'up' } } });

    fake.healthy = false;
    const down = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'unavailable',
      checks: { fake: { status: 'down', error: 'failed' } },
    });
    expect(down.body).not.toContain('fake is down');
  });

  it('serves the HTTP histogram on /metrics, labelled by route template', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/probe/items/42?x=1' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(res.body).toMatch(
      /http_server_request_duration_seconds_count\{service="probe",method="GET",route="\/api\/v1\/probe\/items\/:id",status_code="200"\} 1/,
    );
    expect(res.body).not.toContain('items/42');
    expect(res.body).toContain('process_cpu_user_seconds_total{service="probe"}');
  });

  it('answers an invalid DTO with a 400 problem listing field paths', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      payload: {
        hub: 'h1',
        items: [{ event_type: 'click' }, { event_type: 'view' }, { event_type: 'hover' }],
        extra: true,
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = problemOf(res.body);
    expect(problem).toMatchObject({
      type: 'urn:ihf:problem:REQUEST.VALIDATION_FAILED',
      title: 'Bad Request',
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
      instance: '/api/v1/probe/batches',
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'items[2].event_type', code: 'isIn' }),
        expect.objectContaining({ field: 'extra', code: 'whitelistValidation' }),
      ]),
    );
    expect(problem.errors).toHaveLength(2);
  });

  it('transforms a valid body into the DTO', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      payload: { hub: 'h1', items: [{ event_type: 'click' }] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ count: 1, is_dto: true });
  });

  it('maps a DomainError subclass to its status, code and extensions', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/probe/transition' });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res.body)).toEqual({
      type: 'urn:ihf:problem:PROBE.TRANSITION_NOT_ALLOWED',
      title: 'Conflict',
      status: 409,
      code: 'PROBE.TRANSITION_NOT_ALLOWED',
      detail: "Cannot move from 'new' to 'done'",
      instance: '/api/v1/probe/transition',
      allowed_transitions: ['accepted'],
    });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?q=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(problemOf(res.body)).toMatchObject({ code: 'HTTP.NOT_FOUND', instance: '/nope' });
  });

  it('answers an oversize body with a 413 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ hub: 'x'.repeat(2048), items: [] }),
    });
    expect(res.statusCode).toBe(413);
    expect(problemOf(res.body)).toMatchObject({ status: 413, code: 'REQUEST.BODY_TOO_LARGE' });
  });

  it('refuses JSON nested deeper than MAX_JSON_DEPTH before anything walks it', async () => {
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/probe/batches',
        headers: { 'content-type': 'application/json' },
        payload,
      });
    // The body object is level 1, so `items` holds MAX_JSON_DEPTH - 1 levels at the limit.
    const nested = (levels: number) =>
      `{"hub":"h","items":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const tooDeep = await post(nested(MAX_JSON_DEPTH));
    expect(tooDeep.statusCode).toBe(400);
    expect(problemOf(tooDeep.body)).toMatchObject({
      code: 'REQUEST.JSON_TOO_DEEP',
      max_depth: MAX_JSON_DEPTH,
    });
    // At the limit the body parses and reaches the handler's validation.
    const atLimit = await post(nested(MAX_JSON_DEPTH - 1));
    expect(atLimit.statusCode).toBeLessThan(500);
    expect(atLimit.body).not.toContain('JSON_TOO_DEEP');
    // Brackets inside strings are text, not depth.
    const inString = await post(JSON.stringify({ hub: '['.repeat(500), items: [] }));
    expect(inString.statusCode).toBe(201);
  });

  it('refuses NUL and unpaired surrogates in path, query and body, naming the field', async () => {
    const fieldsOf = (body: string) => problemOf(body).errors?.map((e) => e.field);
    const path = await app.inject({ method: 'GET', url: '/api/v1/probe/items/a%00b' });
    expect(path.statusCode).toBe(400);
    expect(fieldsOf(path.body)).toEqual(['id']);
    const query = await app.inject({ method: 'GET', url: '/api/v1/probe/items/a?q=x%00' });
    expect(fieldsOf(query.body)).toEqual(['q']);
    const body = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/json' },
      payload: '{"hub":"a\\ud800b","items":[{"event_type":"x\\u0000"}]}',
    });
    expect(body.statusCode).toBe(400);
    expect(problemOf(body.body)).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED' });
    expect(fieldsOf(body.body)).toEqual(['hub', 'items[0].event_type']);
    // A well-formed pair (an emoji) is text like any other.
    const emoji = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ hub: '\u{1F600}', items: [] }),
    });
    expect(emoji.statusCode).toBe(201);
  });

  it('answers errors of the router (bad percent-encoding, over-long parameter) as problems', async () => {
    const badUrl = await app.inject({ method: 'GET', url: '/api/v1/probe/items/%E0%A4%A' });
    expect(badUrl.statusCode).toBe(400);
    expect(String(badUrl.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(problemOf(badUrl.body)).toMatchObject({ status: 400, code: 'REQUEST.BAD_URL' });
    const long = await app.inject({ method: 'GET', url: `/api/v1/probe/items/${'a'.repeat(500)}` });
    expect(long.statusCode).toBe(414);
    expect(problemOf(long.body)).toMatchObject({ code: 'REQUEST.PARAMETER_TOO_LONG' });
    expect(long.headers['x-content-type-options']).toBe('nosniff');
  });

  it("sets helmet's security headers and no-store on answers and on errors alike", async () => {
    for (const url of ['/health/live', '/api/v1/nothing-here']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'cross-origin-resource-policy': 'cross-origin',
        'cache-control': 'no-store',
      });
      expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'self'");
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it("answers headers over Node's size limit with a 431 problem", async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(problemOf(body)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE' });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/json' },
      payload: '{"hub": ',
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res.body)).toMatchObject({ code: 'REQUEST.MALFORMED_JSON' });
  });

  it('answers an unsupported media type with a 415 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/xml' },
      payload: '<batch/>',
    });
    expect(res.statusCode).toBe(415);
    expect(problemOf(res.body)).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' });
  });

  it('takes JSON bodies only: a form body or one without content type is a 415, not odd fields', async () => {
    for (const headers of [
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
      {},
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/probe/batches',
        headers,
        payload: '{"limit":1}',
      });
      expect({ headers, status: res.statusCode }).toEqual({ headers, status: 415 });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(problemOf(res.body)).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' });
    }
    const vendor = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: '{}',
    });
    expect(vendor.statusCode).not.toBe(415);
  });

  it('answers a plain Error with a 500 problem whose error_id is logged with the stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/probe/boom' });
    expect(res.statusCode).toBe(500);
    const problem = problemOf(res.body);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL.ERROR' });
    expect(problem.error_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('at ');

    const logged = logs().find((line) => line.error_id === problem.error_id);
    expect(logged).toMatchObject({ level: 'error', service: 'probe' });
    expect((logged?.err as { stack?: string }).stack).toContain('ProbeController.boom');
  });

  it('echoes a well-formed x-request-id and runs the handler in its context', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/probe/context',
      headers: { 'x-request-id': 'req-123', 'x-correlation-id': 'corr-456' },
    });
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.headers['x-correlation-id']).toBe('corr-456');
    expect(res.json()).toEqual({ requestId: 'req-123', correlationId: 'corr-456' });
  });

  it('replaces a malformed x-request-id with a UUID', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-correlation-id']).toBe(res.headers['x-request-id']);
  });

  it('logs one line per request without the body or auth headers', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/v1/probe/batches?token=abc',
      headers: { authorization: 'Bearer top-secret', 'x-request-id': 'req-log' },
      payload: { hub: 'body-secret', items: [] },
    });
    const requestLines = logs().filter((line) => line.msg === 'Request completed');
    expect(requestLines).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'POST',
        route: '/api/v1/probe/batches',
        path: '/api/v1/probe/batches',
        status: 201,
        request_id: 'req-log',
        duration_ms: expect.any(Number) as number,
      }),
    ]);
    const all = lines.join('\n');
    expect(all).not.toContain('top-secret');
    expect(all).not.toContain('body-secret');
    expect(all).not.toContain('token=abc');
  });

  it('serves the OpenAPI document at /docs/json and a UI at /docs', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    const doc = json.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/probe/batches');
    expect(Object.keys(doc.paths)).not.toContain('/metrics');

    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui-bundle.js');
    const bundle = await app.inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });

  it('answers readiness with 503 once shutdown has begun', async () => {
    app.get(HealthRegistry).beginShutdown();
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', shutting_down: true });
  });
});

describe('createServiceApp guards', () => {
  it('refuses a root module without ObservabilityModule', async () => {
    @Module({})
    class BareModule {}
    await expect(
      createServiceApp({
        name: 'bare',
        module: BareModule,
        defaultPort: 0,
        env: { LOG_LEVEL: 'silent' },
      }),
    ).rejects.toThrow("must import ObservabilityModule.forRoot({ service: 'bare' })");
  });

  it("validates the service's own config class first", async () => {
    class ProbeConfig extends ServiceConfig {
      @IsString()
      PROBE_SECRET!: string;
    }
    await expect(
      createServiceApp({
        name: 'probe',
        module: ProbeModule,
        defaultPort: 0,
        config: ProbeConfig,
        env: { LOG_LEVEL: 'silent' },
      }),
    ).rejects.toThrow(/- PROBE_SECRET: is required but not set/);
  });

  it('refuses invalid common config, naming the variable', async () => {
    await expect(
      createServiceApp({
        name: 'probe',
        module: ProbeModule,
        defaultPort: 0,
        env: { PORT: 'eighty' },
      }),
    ).rejects.toThrow(/^Invalid configuration:\n {2}- PORT: must be an integer number$/);
  });
});

describe('CORS for browser clients on other origins', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp({
      name: 'probe',
      module: ProbeModule,
      defaultPort: 0,
      env: {
        LOG_LEVEL: 'silent',
        CORS_ALLOWED_ORIGINS: 'https://shop.example, https://admin.example/',
      },
    });
  });
  afterAll(() => app.close());

  it('answers a preflight from an allowed origin before routing or auth', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/probe/batches',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers.vary).toContain('Origin');
  });

  it('gives other origins nothing to work with', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/probe/batches',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the page read errors and Retry-After: every answer carries the headers', async () => {
    for (const request of [
      { method: 'GET' as const, url: '/nowhere' },
      {
        method: 'POST' as const,
        url: '/api/v1/probe/batches',
        headers: { 'content-type': 'text/plain' },
        payload: 'x',
      },
    ]) {
      const res = await app.inject({
        ...request,
        headers: { ...request.headers, origin: 'https://admin.example' },
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.headers['access-control-allow-origin']).toBe('https://admin.example');
      expect(res.headers['access-control-expose-headers']).toContain('retry-after');
    }
  });
});
