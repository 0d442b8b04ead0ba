import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Min } from 'class-validator';
import { ConfigValidationError, loadConfig } from './load-config.js';
import { ServiceConfig } from './service.config.js';

class ProbeConfig extends ServiceConfig {
  @IsString()
  IHF_ADMIN_EMAIL!: string;

  @IsUrl({ require_tld: false })
  IHF_JWKS_URL!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  BATCH_SIZE?: number;

  @IsBoolean()
  FEATURE_X = false;
}

const required = { IHF_ADMIN_EMAIL: 'admin@ihf.local', IHF_JWKS_URL: 'http://identity:3000/jwks' };

function errorOf(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('applies the defaults of the common variables', () => {
    expect({ ...loadConfig(ServiceConfig, {}) }).toEqual({
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ihf',
      NATS_URL: 'nats://127.0.0.1:4222',
      IHF_NATS_NAMESPACE: '',
      SHUTDOWN_GRACE_MS: 5000,
      TRUST_PROXY: false,
      CORS_ALLOWED_ORIGINS: '',
    });
  });

  it('reads variables, converting numbers and booleans by the declared type', () => {
    const config = loadConfig(ProbeConfig, {
      ...required,
      PORT: '3002',
      SHUTDOWN_GRACE_MS: ' 0 ',
      TRUST_PROXY: 'yes',
      FEATURE_X: 'TRUE',
      BATCH_SIZE: '50',
      NATS_URL: 'nats://a:4222,nats://b:4222',
      UNRELATED: 'ignored',
    });
    expect(config).toBeInstanceOf(ProbeConfig);
    expect(config).toMatchObject({
      PORT: 3002,
      SHUTDOWN_GRACE_MS: 0,
      TRUST_PROXY: true,
      FEATURE_X: true,
      BATCH_SIZE: 50,
      NATS_URL: 'nats://a:4222,nats://b:4222',
    });
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(ServiceConfig, { LOG_LEVEL: '', PORT: '' })).toMatchObject({
      LOG_LEVEL: 'info',
      PORT: undefined,
    });
  });

  it('names every bad or missing variable in one message', () => {
    const error = errorOf(() =>
      loadConfig(ProbeConfig, {
        IHF_JWKS_URL: 'not a url',
        PORT: '80a',
        LOG_LEVEL: 'loud',
        TRUST_PROXY: 'maybe',
        DATABASE_URL: 'mysql://root:s3cret@db/ihf',
        SHUTDOWN_GRACE_MS: '-1',
      }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'IHF_ADMIN_EMAIL',
      'IHF_JWKS_URL',
      'LOG_LEVEL',
      'PORT',
      'SHUTDOWN_GRACE_MS',
      'TRUST_PROXY',
    ]);
    expect(error.message).toMatch(/^Invalid configuration:\n/);
    expect(error.message).toContain('  - PORT: must be an integer number');
    expect(error.message).toContain('  - IHF_ADMIN_EMAIL: is required but not set');
    expect(error.message).toContain('  - TRUST_PROXY: must be a boolean value');
    expect(error.message).toContain('  - DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(error.message).toContain('  - SHUTDOWN_GRACE_MS: must not be less than 0');
    expect(error.message).toMatch(/ {2}- LOG_LEVEL: must be one of the following values: fatal, /);
  });

  it('never prints the values, which may be secrets', () => {
    const error = errorOf(() =>
      loadConfig(ServiceConfig, { DATABASE_URL: 'mysql://root:s3cret@db/ihf' }),
    );
    expect(error.message).not.toContain('s3cret');
  });
});
