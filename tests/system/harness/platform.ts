// The platform as separate processes: any set of services under services/ (identity first),
// each on a free port of 127.0.0.1 (never the fixed 3000-3006 of `npm start`, so a developer's
// running stack is untouched), all on one database and one bus namespace given by the caller
// (a test's createTestEnvironment(), or the demo's own). Identity signs with a development key
// private to this platform, kept across restarts; every other service fetches identity's JWKS.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ihf/testing';
import { ServiceProcess, serviceEntry } from './service-process.ts';

/** Start order: identity first (the others fetch its keys), then as in scripts/services.mjs. */
const ORDER = [
  'identity',
  'ingestion',
  'feedback',
  'governance',
  'deployment-outcomes',
  'agent-proposals',
  'notifications',
];

/** The services of the repository that have an entry point (src/main.ts). */
export function presentServices(root: string): string[] {
  const dir = join(root, 'services');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'src', 'main.ts')))
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
}

export interface PlatformOptions {
  readonly root: string;
  /** Default: every service present (presentServices). */
  readonly services?: readonly string[];
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly natsNamespace: string;
  /** The first admin, created by identity at start. */
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** Where the services' logs go (<name>.log). */
  readonly logDir: string;
  readonly readyTimeoutMs?: number;
  /** Extra variables for every service (win over the defaults). */
  readonly env?: Readonly<Record<string, string>>;
}

export class Platform {
  readonly services: ReadonlyMap<string, ServiceProcess>;
  /** The secret governance stores hubs' GitHub webhook secrets with (random per platform). */
  readonly governanceSecretKey: string;
  private readonly keyDir: string;
  private readonly onExit: () => void;

  private constructor(
    services: Map<string, ServiceProcess>,
    governanceSecretKey: string,
    keyDir: string,
  ) {
    this.services = services;
    this.governanceSecretKey = governanceSecretKey;
    this.keyDir = keyDir;
    this.onExit = () => {
      for (const service of this.services.values()) service.killNow();
    };
    process.once('exit', this.onExit);
  }

  /** Starts the services and waits until each answers /health/ready (stops them on failure). */
  static async start(options: PlatformOptions): Promise<Platform> {
    const names = options.services ?? presentServices(options.root);
    for (const name of names) serviceEntry(options.root, name); // fail fast when unbuilt
    const ports = new Map<string, number>();
    for (const name of names) ports.set(name, await freePort());
    const keyDir = mkdtempSync(join(tmpdir(), 'ihf-system-keys-'));
    const governanceSecretKey = randomBytes(32).toString('base64');
    const identityPort = ports.get('identity');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      NATS_URL: options.natsUrl,
      IHF_NATS_NAMESPACE: options.natsNamespace,
      IHF_STREAM_MAX_BYTES: process.env.IHF_STREAM_MAX_BYTES ?? String(64 * 1024 * 1024),
      ...(identityPort
        ? { IHF_JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json` }
        : {}),
      IHF_ADMIN_EMAIL: options.adminEmail,
      IHF_ADMIN_PASSWORD: options.adminPassword,
      IHF_JWT_DEV_KEY_DIR: keyDir,
      GOVERNANCE_SECRET_KEY: governanceSecretKey,
      // notifications signs unsubscribe links and seals webhook secrets with it.
      NOTIFICATIONS_SECRET_KEY: randomBytes(32).toString('base64'),
      CORS_ALLOWED_ORIGINS: '*',
      LOG_LEVEL: 'info',
      // Readiness turns 503 this long before a stopping service closes; nobody routes to us.
      SHUTDOWN_GRACE_MS: '200',
      // deployment-outcomes counts friction per view: the SDK reports views as `viewed` (also
      // the service's default; said here so that the loop does not depend on it).
      DEPLOYMENT_VIEW_EVENT_TYPE: 'viewed',
      ...options.env,
    };
    const services = new Map<string, ServiceProcess>();
    for (const name of names) {
      services.set(
        name,
        new ServiceProcess({
          root: options.root,
          name,
          port: ports.get(name)!,
          env,
          logDir: options.logDir,
        }),
      );
    }
    const platform = new Platform(services, governanceSecretKey, keyDir);
    try {
      for (const service of services.values()) service.start();
      await Promise.all(
        [...services.values()].map((s) => s.waitReady(options.readyTimeoutMs ?? 120_000)),
      );
    } catch (error) {
      await platform.stop(3_000);
      throw error;
    }
    return platform;
  }

  service(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of this platform`);
    return service;
  }

  url(name: string): string {
    return this.service(name).url;
  }

  /** Whether the platform runs this service (e.g. agent-proposals once it exists). */
  has(name: string): boolean {
    return this.services.has(name);
  }

  /** PIDs of the processes still running (for the check that none is left). */
  pids(): number[] {
    return [...this.services.values()].flatMap((s) => (s.pid === undefined ? [] : [s.pid]));
  }

  /** Stops every service (SIGTERM, SIGKILL after graceMs) and removes the signing key. */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop(graceMs)));
    process.removeListener('exit', this.onExit);
    rmSync(this.keyDir, { recursive: true, force: true });
  }
}
