import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrmOptions } from '../config/orm-options.js';
import { databaseTls } from './database-tls.js';

describe('databaseTls', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ihf-tls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is undefined when the URL asks for nothing (development as before)', () => {
    expect(databaseTls('postgres://postgres@127.0.0.1:5432/ihf')).toBeUndefined();
    expect(
      createOrmOptions({
        schema: 'x',
        databaseUrl: 'postgres://postgres@127.0.0.1:5432/ihf',
        entities: [],
        migrations: [],
      }).driverOptions,
    ).toBeUndefined();
  });

  it('reads sslmode and the CA file, and hands them to the ORM pool', () => {
    const url = `postgres://svc@db.internal:5432/ihf?sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}`;
    expect(databaseTls(url)).toEqual(expect.objectContaining({ ca: 'CA-PEM' }));
    expect(databaseTls(url)).not.toEqual(expect.objectContaining({ rejectUnauthorized: false }));
    expect(
      createOrmOptions({ schema: 'x', databaseUrl: url, entities: [], migrations: [] })
        .driverOptions,
    ).toEqual({ ssl: databaseTls(url) });
    expect(databaseTls('postgres://svc@db/ihf?sslmode=disable')).toBe(false);
  });

  it('fails on a CA file that does not exist, rather than connecting unverified', () => {
    expect(() =>
      databaseTls(`postgres://svc@db/ihf?sslmode=verify-full&sslrootcert=${join(dir, 'nope.pem')}`),
    ).toThrow(/ENOENT/);
  });
});
