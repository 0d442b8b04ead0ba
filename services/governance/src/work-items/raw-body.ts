import { Readable } from 'node:stream';
import { type FastifyInstance, type FastifyRequest } from 'fastify';

/** Where the webhook routes are: their raw bodies are kept for signature checks. */
export const RAW_BODY_PATH = /^\/api\/v1\/webhooks\//;

const RAW_BODY = Symbol('ihf.governance.rawBody');
type WithRawBody = FastifyRequest & { [RAW_BODY]?: Buffer };

/**
 * Keeps the exact bytes of webhook requests (only those): a signature is over the bytes sent,
 * which re-serialising the parsed JSON does not reproduce. The body is read before parsing,
 * within the body limit, and handed on to the normal JSON parser unchanged.
 */
export function keepRawWebhookBodies(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!RAW_BODY_PATH.test(request.url)) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buf.length;
      chunks.push(buf);
      // Past the limit: stop reading; Fastify's parser refuses what we hand on (413).
      if (size > bodyLimit) break;
    }
    const raw = Buffer.concat(chunks);
    (request as WithRawBody)[RAW_BODY] = raw;
    const out = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
    out.receivedEncodedLength = size;
    return out;
  });
}

/** The raw body kept by {@link keepRawWebhookBodies}, if any. */
export function rawBodyOf(request: FastifyRequest): Buffer | undefined {
  return (request as WithRawBody)[RAW_BODY];
}
