import { Controller, Get, Module, Param } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError, ObservabilityModule } from '@ihf/observability';
import { ApiOperationDoc, createServiceApp } from '@ihf/platform';
import { lintOpenApi, OpenApiViolations, withResponseValidation } from '@ihf/testing';

// A tiny service whose answers drift from its document in the ways the check must catch.

class ItemResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: 'integer' })
  count!: number;

  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
}

class MissingError extends DomainError {
  constructor() {
    super({ code: 'PROBE.ELSEWHERE', status: 404, message: 'Not here' });
  }
}

class GoneError extends DomainError {
  constructor() {
    super({ code: 'PROBE.GONE', status: 410, message: 'Gone' });
  }
}

const ID = '0b6f3c1e-9d2a-4c1e-8f00-000000000001';

@ApiTags('probe')
@Controller('api/v1/probe')
class ProbeController {
  @Get('items/:kind')
  @ApiOperationDoc({
    summary: 'An item',
    description: 'Answers a matching or a drifting body, or an undeclared status.',
    auth: 'public',
    response: { status: 200, description: 'The item', type: ItemResponse },
    problems: { 404: ['PROBE.NOT_FOUND'] },
  })
  item(@Param('kind') kind: string): ItemResponse {
    if (kind === 'gone') throw new GoneError();
    if (kind === 'elsewhere') throw new MissingError();
    if (kind === 'drift') return { id: ID, count: 1.5, note: null };
    if (kind === 'extra') return { id: ID, count: 2, note: null, secret: 'x' } as ItemResponse;
    return { id: ID, count: 2, note: kind === 'note' ? 'hello' : null };
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'probe', logLevel: 'silent' })],
  controllers: [ProbeController],
})
class ProbeModule {}

describe('withResponseValidation', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp(
      withResponseValidation({
        name: 'probe',
        module: ProbeModule,
        defaultPort: 0,
        env: { LOG_LEVEL: 'silent' },
        openApi: { title: 'probe', tags: [{ name: 'probe', description: 'Probe' }] },
      }),
    );
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
  });

  it('lets answers that match the document through', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/probe/items/plain' })).statusCode).toBe(
      200,
    );
    const res = await app.inject({ method: 'GET', url: '/api/v1/probe/items/note' });
    expect(res.json()).toEqual({ id: ID, count: 2, note: 'hello' });
  });

  it('makes inject reject an answer whose body drifts from its schema', async () => {
    const answer = app.inject({ method: 'GET', url: '/api/v1/probe/items/drift' });
    await expect(answer).rejects.toThrow(OpenApiViolations);
    await expect(app.inject({ method: 'GET', url: '/api/v1/probe/items/drift' })).rejects.toThrow(
      'GET /api/v1/probe/items/:kind → 200: body/count must be integer',
    );
  });

  it('makes inject reject a member the document does not name', async () => {
    await expect(app.inject({ method: 'GET', url: '/api/v1/probe/items/extra' })).rejects.toThrow(
      'body must NOT have additional properties {"additionalProperty":"secret"}',
    );
  });

  it('makes inject reject a problem code the operation does not list', async () => {
    await expect(
      app.inject({ method: 'GET', url: '/api/v1/probe/items/elsewhere' }),
    ).rejects.toThrow('404: body/code must be equal to one of the allowed values');
  });

  it('makes inject reject a status the operation does not declare', async () => {
    await expect(app.inject({ method: 'GET', url: '/api/v1/probe/items/gone' })).rejects.toThrow(
      'GET /api/v1/probe/items/:kind → 410: status 410 is not declared',
    );
  });

  it('makes close reject after a drifting answer over a real socket', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/probe/items/drift`);
    expect(res.status).toBe(200);
    await expect(app.close()).rejects.toThrow('body/count must be integer');
  });
});

describe('lintOpenApi', () => {
  it('reports the warnings of spectral:oas', () => {
    const report = lintOpenApi({
      openapi: '3.0.0',
      info: { title: 'x', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
    });
    expect(report.errors).toBe(0);
    expect(report.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['oas3-api-servers', 'info-contact', 'operation-operationId']),
    );
    expect(report.warnings).toBe(report.findings.filter((f) => f.severity === 1).length);
  });
});
