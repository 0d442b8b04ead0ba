import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { allSubjects } from '../events/event-contracts.js';
import { eventJsonSchema } from '../schema/json-schema.js';
import { asyncApiDocument, channelId } from './asyncapi-document.js';

const COMMITTED = join(__dirname, '..', '..', 'asyncapi', 'asyncapi.json');

describe('the AsyncAPI document of the contracts', () => {
  const doc = asyncApiDocument() as {
    channels: Record<
      string,
      {
        address: string;
        'x-ihf-stream': string | null;
        'x-ihf-consumers': string[];
        'x-ihf-owner': string | null;
        'x-ihf-agent-access': { internalAgents: string; externalAgents: string };
      }
    >;
    components: { messages: Record<string, { payload: { schema: unknown } }> };
  };

  it('is committed as generated (run `npm run contracts:asyncapi` after changing contracts)', () => {
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(doc);
  });

  it('has every subject, its stream, consumers and envelope schema', () => {
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual([...allSubjects()].sort());
    const accepted = doc.channels[channelId('ihf.agents.proposal.accepted.v1')];
    expect(accepted['x-ihf-stream']).toBe('IHF_AGENTS');
    expect(accepted['x-ihf-consumers']).toEqual(
      expect.arrayContaining(['feedback__agents', 'governance__agents']),
    );
    // Only agent-proposals publishes it; agents outside get it by webhook, never on the bus.
    expect(accepted['x-ihf-owner']).toBe('agent-proposals');
    expect(accepted['x-ihf-agent-access'].externalAgents).toBe('webhooks-and-http-only');
    expect(
      doc.channels[channelId('ihf.identity.user.created.v1')]['x-ihf-agent-access'].internalAgents,
    ).toBe('none');
    expect(
      doc.components.messages[channelId('ihf.agents.proposal.created.v1')].payload.schema,
    ).toEqual(eventJsonSchema('ihf.agents.proposal.created.v1'));
  });

  it('is valid AsyncAPI 3 for the official parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(COMMITTED, 'utf8'));
    expect(
      diagnostics.filter((d) => Number(d.severity) <= 1).map((d) => `${d.code}: ${d.message}`),
    ).toEqual([]);
    expect(document?.channels().length).toBe(allSubjects().length);
  });

  it('is refused by the parser when broken (the check can fail)', async () => {
    const broken = structuredClone(asyncApiDocument()) as Record<string, unknown>;
    delete broken.info;
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(document).toBeUndefined();
    expect(diagnostics.some((d) => Number(d.severity) === 0)).toBe(true);
  });
});
