import { harnessSecurity } from './authenticated-bus.js';
import { relative } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { EventHeaders, STREAMS, committedEventJsonSchema } from '@ihf/contracts';

/**
 * Test files that build messages by hand to test the transport itself (malformed envelopes,
 * payloads a consumer must dead-letter); what they publish is not a service's event. Every
 * other integration test has each event it causes checked.
 */
const TRANSPORT_TESTS: Record<string, string> = {
  'libs/messaging/test/consumer-runner.int-spec.ts':
    'publishes malformed envelopes and payloads to test dead-lettering',
  'libs/messaging/test/table-tail-relay.int-spec.ts':
    'relays rows of a test table with stand-in payloads under a real subject',
  'libs/messaging/test/batch-publisher.int-spec.ts':
    'publishes stand-in payloads under a real subject to test batching',
  'libs/messaging/test/messaging-module.int-spec.ts':
    'relays rows of a test table with stand-in payloads under a real subject',
};

/** Message ids (`Nats-Msg-Id`) published on purpose against their contract, by namespace. */
const exempt = new Map<string, Set<string>>();

/**
 * Marks a message a test publishes on purpose against its subject's contract (to test that a
 * consumer refuses it), so that the schema check of its test environment does not count it.
 */
export function exemptFromSchemaCheck(namespace: string, msgId: string): void {
  const ids = exempt.get(namespace) ?? new Set<string>();
  ids.add(msgId);
  exempt.set(namespace, ids);
}

let ajv: Ajv2020 | undefined;
/** Per subject: its compiled schema, or why there is none. */
const validators = new Map<string, ValidateFunction | string>();

/** The committed schema of `subject`, compiled (strict, 2020-12, formats), or why not. */
function validatorFor(subject: string): ValidateFunction | string {
  let found = validators.get(subject);
  if (found === undefined) {
    if (!ajv) {
      ajv = new Ajv2020({ strict: true, allErrors: true });
      addFormats(ajv);
    }
    const schema = committedEventJsonSchema(subject);
    try {
      found = schema
        ? ajv.compile(schema)
        : `no committed schema (libs/contracts/schemas/${subject}.json)`;
    } catch (error) {
      found = `its committed schema does not compile in strict mode: ${(error as Error).message}`;
    }
    validators.set(subject, found);
  }
  return found;
}

/**
 * Checks `data` published on `subject` against the committed schema; returns what is wrong
 * (an empty list when it conforms).
 */
export function schemaViolations(subject: string, data: string): string[] {
  const validate = validatorFor(subject);
  if (typeof validate === 'string') return [validate];
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return ['not JSON'];
  }
  if (validate(parsed)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

/**
 * Watches every event published in a test environment's bus namespace (a plain NATS
 * subscription sees each JetStream publish, whoever makes it: the services under test, their
 * relays, a child process, the test itself) and validates it with ajv against its subject's
 * committed JSON Schema (`libs/contracts/schemas`), so that a drift between payload classes,
 * the payloads services really build and the published schemas fails the test file.
 */
export class EventSchemaCheck {
  private readonly violations: string[] = [];
  private checked = 0;

  private subs: Subscription[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
    private readonly testFile: string | undefined,
  ) {}

  static async start(natsUrl: string, namespace: string): Promise<EventSchemaCheck> {
    const nc = await connect({
      servers: natsUrl.split(','),
      name: 'ihf-test-schema-check',
      ...harnessSecurity(),
    });
    const check = new EventSchemaCheck(nc, namespace, currentTestFile());
    const prefix = `${namespace}.`;
    // Only the streams' subjects (dead letters aside): a subscriber on any other subject would
    // answer for it, and a publish or request nobody serves would time out instead of failing
    // at once with "no responders", changing what the test observes.
    const filters = Object.values(STREAMS)
      .filter((s) => s.name !== STREAMS.IHF_DLQ.name)
      .flatMap((s) => s.subjects);
    check.subs = filters.map((filter) =>
      nc.subscribe(`${prefix}${filter}`, {
        callback: (_err, msg) => {
          check.inspect(
            msg.subject.slice(prefix.length),
            msg.string(),
            msg.headers?.get(EventHeaders.MessageId) ?? '',
          );
        },
      }),
    );
    await nc.flush();
    return check;
  }

  private inspect(subject: string, data: string, msgId: string): void {
    if (exempt.get(this.namespace)?.has(msgId)) return;
    this.checked++;
    let problems: string[];
    try {
      problems = schemaViolations(subject, data);
    } catch (error) {
      // Never let a failure escape into the NATS callback: it would end the subscription.
      problems = [`could not be checked: ${(error as Error).message}`];
    }
    if (problems.length) {
      this.violations.push(
        `${subject} (${msgId}): ${problems.join('; ')}\n  ${data.slice(0, 600)}`,
      );
    }
  }

  /**
   * Stops watching; throws when an event broke its schema (unless the test file is a transport
   * test, listed with its reason).
   */
  async stop(): Promise<{ checked: number }> {
    // Deliveries already routed to us arrive before the flush's answer.
    await this.nc.flush().catch(() => undefined);
    for (const sub of this.subs) sub.unsubscribe();
    await this.nc.close().catch(() => undefined);
    exempt.delete(this.namespace);
    const transport = this.testFile ? TRANSPORT_TESTS[this.testFile] : undefined;
    if (this.violations.length && !transport) {
      throw new Error(
        `${this.violations.length} of ${this.checked} published events do not match their ` +
          `committed JSON Schema (libs/contracts/schemas; regenerate with \`npm run contracts:schemas\` ` +
          `if the payload class changed on purpose); the first ones:\n` +
          this.violations.slice(0, 10).join('\n'),
      );
    }
    return { checked: this.checked };
  }
}

/** The running Jest test file, relative to the repository (undefined outside Jest). */
function currentTestFile(): string | undefined {
  const state = (
    globalThis as { expect?: { getState?: () => { testPath?: string } } }
  ).expect?.getState?.();
  return state?.testPath ? relative(process.cwd(), state.testPath) : undefined;
}
