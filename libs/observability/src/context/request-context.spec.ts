import { RequestContext } from './request-context.js';
import { Injectable } from '@nestjs/common';

@Injectable()
class Probe {}

describe('RequestContext', () => {
  it('keeps the context across awaits and isolates concurrent units of work', async () => {
    expect(Probe).toBeDefined();
    const seen: string[] = [];
    await Promise.all(
      ['a', 'b'].map((id) =>
        RequestContext.run({ correlationId: id }, async () => {
          await new Promise((r) => setTimeout(r, id === 'a' ? 10 : 1));
          seen.push(`${id}:${RequestContext.correlationId()}`);
        }),
      ),
    );
    expect(seen.sort()).toEqual(['a:a', 'b:b']);
    expect(RequestContext.current()).toBeUndefined();
  });
});
