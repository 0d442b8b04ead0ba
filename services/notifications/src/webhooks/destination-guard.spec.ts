import { DestinationGuard, DestinationRefusedError, embeddedIpv4 } from './destination-guard.js';

describe('DestinationGuard', () => {
  const guard = new DestinationGuard('');

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.5',
    '172.16.3.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:0101::1',
  ])('refuses %s', (address) => {
    expect(guard.refusal(address)).toMatch(/private, loopback or link-local/);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(guard.refusal(address)).toBeUndefined();
    },
  );

  it('reads the IPv4 inside mapped, compatible, NAT64 and 6to4 forms', () => {
    expect(embeddedIpv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(embeddedIpv4('::FFFF:0a01:0203')).toBe('10.1.2.3');
    expect(embeddedIpv4('64:ff9b::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2002:7f00:0001::')).toBe('127.0.0.1');
    expect(embeddedIpv4('2606:4700::1111')).toBeUndefined();
  });

  it('lets the allow-list name private ranges, and only those', () => {
    const allowing = new DestinationGuard('127.0.0.1/32, ::1');
    expect(allowing.refusal('127.0.0.1')).toBeUndefined();
    expect(allowing.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(allowing.refusal('::1')).toBeUndefined();
    expect(allowing.refusal('127.0.0.2')).toMatch(/loopback/);
    expect(allowing.refusal('10.0.0.1')).toMatch(/private/);
    expect(() => new DestinationGuard('not-an-ip')).toThrow(/Not an address/);
  });

  it('resolves names and refuses one that reaches loopback, and literal hosts without DNS', async () => {
    await expect(guard.resolve(new URL('http://localhost:9/x'))).rejects.toThrow(
      DestinationRefusedError,
    );
    await expect(guard.resolve(new URL('http://[::ffff:127.0.0.1]:9/'))).rejects.toThrow(
      /private, loopback/,
    );
    await expect(guard.resolve(new URL('ftp://example.com/'))).rejects.toThrow(/not http/);
    expect(() => guard.checkLiteral(new URL('http://169.254.169.254/latest'))).toThrow(
      DestinationRefusedError,
    );
    expect(() => guard.checkLiteral(new URL('http://a.localhost/'))).toThrow(/loopback/);
    expect(() => guard.checkLiteral(new URL('https://example.com/'))).not.toThrow();
    await expect(guard.resolve(new URL('http://8.8.8.8/hook'))).resolves.toEqual([
      { address: '8.8.8.8', family: 4 },
    ]);
  });
});
