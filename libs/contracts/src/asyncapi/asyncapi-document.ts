import { agentBusAccess, subjectOwner } from '../bus/bus-permissions.js';
import { allSubjects, contractFor } from '../events/event-contracts.js';
import { asyncApiMessage, type JsonSchema } from '../schema/json-schema.js';
import { CONSUMERS } from '../streams/consumers.js';
import { streamForSubject, subjectMatches } from '../streams/streams.js';

/** The version of the platform's event API the document describes (bump on a new subject). */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

/** An AsyncAPI channel id for a subject: its dots become underscores. */
export const channelId = (subject: string): string => subject.replace(/\./g, '_');

/**
 * The AsyncAPI 3 document of every event subject of the platform, generated from the
 * contracts: one channel per subject (its address, stream and durable consumers), one `send`
 * operation by its producing service, and the message whose payload is the committed JSON
 * Schema of the envelope. `npm run contracts:asyncapi` writes it to
 * `libs/contracts/asyncapi/asyncapi.json`; agent-proposals serves it at `/docs/asyncapi`.
 */
export function asyncApiDocument(): JsonSchema {
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {};
  for (const subject of allSubjects()) {
    const id = channelId(subject);
    const contract = contractFor(subject)!;
    const stream = streamForSubject(subject);
    const consumers = Object.values(CONSUMERS)
      .filter((c) => c.stream === stream?.name && subjectMatches(c.filterSubject, subject))
      .map((c) => c.durable);
    const producer = subject.split('.')[1];
    messages[id] = asyncApiMessage(subject);
    channels[id] = {
      address: subject,
      title: subject,
      description: [
        contract.description,
        `Stream: \`${stream?.name ?? 'none'}\`.`,
        consumers.length
          ? `Durable consumers: ${consumers.map((c) => `\`${c}\``).join(', ')}.`
          : '',
        contract.hubScoped ? 'Hub-scoped: the envelope carries `hub_id`.' : '',
      ]
        .filter(Boolean)
        .join(' '),
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      'x-ihf-stream': stream?.name ?? null,
      'x-ihf-consumers': consumers,
      // Who may publish it, and how agents may receive it (bus permissions, issue 19).
      'x-ihf-owner': subjectOwner(subject) ?? null,
      'x-ihf-agent-access': agentBusAccess(subject),
    };
    operations[`${producer}_sends_${id}`] = {
      action: 'send',
      title: `${producer} publishes ${subject}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'IHF events',
      version: ASYNCAPI_DOCUMENT_VERSION,
      description:
        'Every event subject of the Interaction Hub Framework on NATS JetStream: what each service publishes, in which stream, and who consumes it. Messages are JSON envelopes (`event_id`, `type`, `occurred_at`, `producer`, `correlation_id`, `hub_id`, `payload`, …); `Nats-Msg-Id` is the `event_id`. External agents get no NATS credentials: they receive the events of their hub through the signed outbound webhooks of the notifications service and post proposals over HTTP to agent-proposals; internal, trusted agents may read with their own read-only bus user (`x-ihf-agent-access` on each channel). Only the owning service (`x-ihf-owner`) may publish a subject.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: '127.0.0.1:4222',
        protocol: 'nats',
        description: 'NATS JetStream (NATS_URL); a deployment names its own host',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}
