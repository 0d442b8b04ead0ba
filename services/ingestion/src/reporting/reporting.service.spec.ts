import { MalformedJsonError } from './body.errors.js';
import { parseJson } from './json-body.parser.js';
import { InvalidBatchError } from './reporting.errors.js';
import { eventsOf, isJsonContentType } from './reporting.service.js';

describe('reporting body shape', () => {
  it('reads one event, an array, or { events }', () => {
    expect(eventsOf({ id: 'a' })).toEqual([{ id: 'a' }]);
    expect(eventsOf([{ id: 'a' }, 1])).toEqual([{ id: 'a' }, 1]);
    expect(eventsOf({ events: [{ id: 'a' }] })).toEqual([{ id: 'a' }]);
  });

  it.each([
    ['a string', 'x'],
    ['a number', 1],
    ['null', null],
    ['events not an array', { events: 1 }],
    ['events beside other fields', { events: [], hub_id: 'x' }],
  ])('refuses %s', (_name, body) => {
    expect(() => eventsOf(body)).toThrow(InvalidBatchError);
  });

  it('accepts JSON content types only', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('parses JSON, refusing prototype poisoning and empty bodies', () => {
    expect(parseJson('{"a":{"constructor":1}}')).toEqual({ a: { constructor: 1 } });
    expect(() => parseJson('{"__proto__":{"x":1}}')).toThrow(MalformedJsonError);
    expect(() => parseJson('{"constructor":{"prototype":{}}}')).toThrow(MalformedJsonError);
    expect(() => parseJson('  ')).toThrow(MalformedJsonError);
    expect(() => parseJson('{')).toThrow(MalformedJsonError);
  });
});
