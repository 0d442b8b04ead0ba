import { createLogger } from './logger.factory.js';
import { PinoNestLogger } from './pino-nest.logger.js';

describe('PinoNestLogger', () => {
  const raw: string[] = [];
  const nest = new PinoNestLogger(
    createLogger({
      service: 'probe',
      level: 'trace',
      destination: { write: (line: string) => void raw.push(line) },
    }),
  );
  const last = (): Record<string, unknown> =>
    JSON.parse(raw[raw.length - 1]) as Record<string, unknown>;

  it('writes Nest log calls as JSON with the context', () => {
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(last()).toMatchObject({
      level: 'info',
      msg: 'Mapped {/health, GET} route',
      context: 'RouterExplorer',
      service: 'probe',
    });
  });

  it('writes an error with its stack and context', () => {
    nest.error('Boom', 'Error: Boom\n    at x (y.ts:1:1)', 'ExceptionsHandler');
    expect(last()).toMatchObject({
      level: 'error',
      msg: 'Boom',
      context: 'ExceptionsHandler',
      err: { stack: 'Error: Boom\n    at x (y.ts:1:1)' },
    });
  });

  it('writes an Error message under err', () => {
    nest.error(new Error('bad'));
    expect(last()).toMatchObject({ level: 'error', msg: 'bad', err: { message: 'bad' } });
  });

  it('maps verbose to trace and keeps object messages as fields', () => {
    nest.verbose({ hub_id: 'h1' }, 'Hubs');
    expect(last()).toMatchObject({ level: 'trace', hub_id: 'h1', context: 'Hubs' });
  });
});
