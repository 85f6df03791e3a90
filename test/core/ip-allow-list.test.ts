import { createIpAllowList } from '../../lib/core/ip-allow-list';

describe('allowIps', () => {
  const allow = createIpAllowList(['3.125.243.2', '10.1.0.0/16', '2001:db8::/32', '::1']);

  test.each([
    ['3.125.243.2', true],
    ['3.125.243.3', false],
    ['10.1.255.7', true],
    ['10.2.0.1', false],
    ['::ffff:3.125.243.2', true],
    ['::ffff:10.1.0.9', true],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['::1', true],
    ['', false],
    [undefined, false],
    ['not an ip', false],
  ])('%s → %s', (ip, expected) => {
    expect(allow(ip as string | undefined)).toBe(expected);
  });

  test.each([['300.1.1.1'], ['10.0.0.0/33'], ['10.0.0.0/x'], ['example.com']])('a bad entry (%s) throws at startup', (entry) => {
    expect(() => createIpAllowList([entry])).toThrow(/allowIps/);
  });
});
