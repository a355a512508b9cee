import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFootfallError } from '../../src/errors.js';
import { parseTenantHost, parseTenantHostArgument, parseTenantHostName } from '../../src/tenancy/tenant-host.js';

describe('parseTenantHost', () => {
  const accepted: [string, ReturnType<typeof parseTenantHost>][] = [
    ['stats.example.com', { kind: 'name', host: 'stats.example.com' as never }],
    ['Stats.Example.COM', { kind: 'name', host: 'stats.example.com' as never }],
    ['stats.example.com:8080', { kind: 'name', host: 'stats.example.com' as never }],
    ['stats.example.com.', { kind: 'name', host: 'stats.example.com' as never }],
    ['localhost', { kind: 'name', host: 'localhost' as never }],
    ['bücher.example', { kind: 'name', host: 'xn--bcher-kva.example' as never }],
    ['xn--bcher-kva.example', { kind: 'name', host: 'xn--bcher-kva.example' as never }],
    ['127.0.0.1:8080', { kind: 'ipv4', host: '127.0.0.1' as never }],
    ['[::1]:8080', { kind: 'ipv6', address: '::1' }],
    ['[2001:DB8::1]', { kind: 'ipv6', address: '2001:db8::1' }],
  ];
  for (const [raw, expected] of accepted) {
    it(`accepts ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(parseTenantHost(raw), expected);
    });
  }

  const rejected = [
    '../x', 'a/b', '%2e%2e', '..', '.', 'a..b', 'a\\b', 'a b', '-a.example', 'a-.example', 'a_b.example',
    'host:port', 'host:99999999', '[::1', '[zz]', 'a'.repeat(64) + '.example', `${'a'.repeat(60)}.`.repeat(5) + 'com',
    'x'.repeat(300), 'a\u0000b', 'exa mple.com', 'example.com/../../etc',
  ];
  for (const raw of rejected) {
    it(`rejects ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 20)}...(${raw.length})` : raw)}`, () => {
      assert.throws(() => parseTenantHost(raw), (error: unknown) => isFootfallError(error, 'HOST_INVALID'));
    });
  }

  // The WHATWG URL parser reads each of these as 127.0.0.1, or fails on it as an IPv4 address.
  const shorthandIpv4 = [
    '0x7f.1', '127.1', '2130706433', '0177.0.0.1', '127.0.0.01', '0x7f.0.0.1', '0x7f000001', '127.0.1', '127.1.',
    '127.1:8080', '\uff11\uff12\uff17.\uff10.\uff10.\uff11', '256.0.0.1', 'example.123', 'example.0x', '1.2.3.4.5',
  ];
  for (const raw of shorthandIpv4) {
    it(`rejects IPv4 form ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseTenantHost(raw), (error: unknown) => {
        assert.ok(isFootfallError(error, 'HOST_INVALID'));
        assert.equal(error.message, `Invalid host name '${raw}': expected a dotted-quad IPv4 address in canonical form, such as 192.0.2.10, or a DNS name. `
          + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous.');
        return true;
      });
    });
  }

  it('accepts names with inner number labels', () => {
    assert.deepEqual(parseTenantHost('0x7f.example'), { kind: 'name', host: '0x7f.example' });
    assert.deepEqual(parseTenantHost('127.0.0.1.example'), { kind: 'name', host: '127.0.0.1.example' });
    assert.deepEqual(parseTenantHost('1e2'), { kind: 'name', host: '1e2' });
  });

  it('rejects a missing or blank host', () => {
    assert.throws(() => parseTenantHost(undefined), (error: unknown) => isFootfallError(error, 'HOST_INVALID'));
    assert.throws(() => parseTenantHost('  '), (error: unknown) => isFootfallError(error, 'HOST_INVALID'));
  });

  it('names only the Host header when missing', () => {
    let thrown: unknown;
    try {
      parseTenantHost('');
    } catch (error) {
      thrown = error;
    }
    assert.ok(isFootfallError(thrown, 'HOST_INVALID'));
    assert.equal(thrown.message, "Missing host name. Send the tenant's host name in the Host header.");
    assert.doesNotMatch(thrown.message, /--matomo-domain/);
  });

  for (const raw of ['[::1]', '::1', '[::1]:8080', '2001:db8::1', '[2001:DB8::1]']) {
    it(`rejects IPv6 ${raw} as tenant name`, () => {
      assert.throws(() => parseTenantHostName(raw), (error: unknown) => {
        assert.ok(isFootfallError(error, 'HOST_INVALID'));
        assert.equal(error.message,
          `Invalid host name '${raw}': an IPv6 address cannot name a tenant. Pass the host name the tenant is served on, such as stats.example.com (tenant:list lists them).`);
        return true;
      });
    });
  }

  it('accepts IPv4 as tenant name', () => {
    assert.equal(parseTenantHostName('192.0.2.10'), '192.0.2.10');
  });

  it('rejects shorthand IPv4 as tenant name', () => {
    for (const raw of ['0x7f.1', '127.1', '2130706433', '0177.0.0.1']) {
      assert.throws(() => parseTenantHostName(raw), (error: unknown) => isFootfallError(error, 'HOST_INVALID') && error.message.includes('canonical form'), raw);
    }
  });
});

describe('parseTenantHostArgument', () => {
  for (const [raw, host] of [['a.test:80', 'a.test'], ['Stats.Example.com:8443', 'stats.example.com'], ['192.0.2.10:8080', '192.0.2.10']]) {
    it(`rejects the port of ${raw}`, () => {
      assert.throws(() => parseTenantHostArgument(raw), (error: unknown) => {
        assert.ok(isFootfallError(error, 'HOST_INVALID'));
        assert.equal(error.message, `Invalid host name '${raw}': a tenant is named by its host name without a port, and it serves requests on every port. Pass ${host}.`);
        return true;
      });
    });
  }

  it('accepts a name without a port', () => {
    assert.equal(parseTenantHostArgument('Stats.Example.com'), 'stats.example.com');
  });

  it('rejects shorthand IPv4 addresses', () => {
    for (const raw of ['0x7f.1', '127.1', '2130706433', '0177.0.0.1']) {
      assert.throws(() => parseTenantHostArgument(raw), (error: unknown) => isFootfallError(error, 'HOST_INVALID') && error.message.includes('canonical form'), raw);
    }
  });

  it('still rejects IPv6 addresses', () => {
    assert.throws(() => parseTenantHostArgument('[::1]:80'), /an IPv6 address cannot name a tenant/);
  });
});
