import fc from 'fast-check';
import { AccountEvent } from '../../workflows/accounts/schema';
import { PartnerEvent } from '../../workflows/types';
import { accountKey, accountKeyOf, DOMAIN_PATTERN_SOURCE, normaliseDomain, normaliseName } from '../../workflows/accounts/keys';

describe('account keys', () => {
  it.each([
    ['initech.example', 'initech.example'],
    ['Initech.Example.', 'initech.example'],
    ['https://www.initech.example:443/about?x=1', 'initech.example'],
    ['www2.initech.example', 'initech.example'],
    ['sales@initech.example', 'initech.example'],
    ['eu.initech.example', 'eu.initech.example'],
  ])('domain %s -> %s', (input, key) => {
    expect(normaliseDomain(input)).toBe(key);
  });

  it.each(['initech', 'initech .example', 'in itech.example', 'localhost', '-initech.example', 'initech.123', ''])('%j is no domain', (input) => {
    expect(normaliseDomain(input)).toBeNull();
  });

  it.each([
    ['Initech', 'initech'],
    ['Initech, Inc.', 'initech'],
    ['INITECH INC', 'initech'],
    ['Initech Incorporated', 'initech'],
    ['The Initech Company', 'initech'],
    ['Initech GmbH & Co. KG', 'initech'],
    ['Initech S.A.', 'initech'],
    ['Initech Pty Ltd', 'initech'],
    ['Müller Systeme GmbH', 'muller-systeme'],
    ['Mueller Systeme', 'mueller-systeme'],
    ['AT&T Inc.', 'at-and-t'],
    ['Barnes & Noble', 'barnes-and-noble'],
    ['Smith & Co', 'smith'],
    ['Inc.', 'inc'],
  ])('name %j -> %s', (input, key) => {
    expect(normaliseName(input)).toBe(key);
  });

  it('keeps www when it is all there is before the top-level domain', () => {
    expect(normaliseDomain('www.example')).toBe('www.example');
    expect(normaliseDomain('https://www.example/x')).toBe('www.example');
  });

  // The API declares DOMAIN_PATTERN in /openapi.json; whatever matches it must get a key, or a
  // schema-valid request would be refused (Schemathesis ST202 found `www.example` and the like).
  it('gives every string the declared domain pattern accepts a key', () => {
    fc.assert(
      fc.property(fc.stringMatching(new RegExp(DOMAIN_PATTERN_SOURCE)), (d) => {
        expect(normaliseDomain(d)).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses, naming the field, a domain outside the declared pattern, in partner and CRM events alike', () => {
    for (const domain of ['', 'initech', 'in itech.example', ' initech.example']) {
      const partner = PartnerEvent.safeParse({ eventId: 'e', type: 'opportunity_registered', data: { opportunityId: 'o', domain } });
      expect(partner.success).toBe(false);
      expect(partner.error!.issues.map((i) => i.path.join('.'))).toContain('data.domain');
      const crm = AccountEvent.safeParse({ eventId: 'e', type: 'direct_ownership_claimed', data: { domain } });
      expect(crm.error!.issues.map((i) => i.path.join('.'))).toContain('data.domain');
    }
  });

  it('has nothing to compare in punctuation alone', () => {
    expect(normaliseName(' -- ')).toBeNull();
    expect(accountKey({ account: '!!!' })).toBeNull();
    expect(accountKey({})).toBeNull();
  });

  it('prefers the domain, then an account named by its host name, then the name', () => {
    expect(accountKey({ account: 'Initech, Inc.', domain: 'https://initech.example/' })).toEqual({ key: 'initech.example', by: 'domain', label: 'initech.example' });
    expect(accountKey({ account: 'initech.example' })).toEqual({ key: 'initech.example', by: 'domain', label: 'initech.example' });
    expect(accountKey({ account: ' Initech, Inc. ' })).toEqual({ key: 'initech', by: 'name', label: 'Initech, Inc.' });
    expect(accountKey({ account: 'Initech', domain: 'not a domain' })).toEqual({ key: 'initech', by: 'name', label: 'Initech' });
  });

  it('never lets a name key collide with a domain key', () => {
    // A domain key always holds a dot; a name key never does (dots are dropped from names).
    expect(normaliseName('Initech.example Inc')).toBe('initechexample');
    expect(accountKey({ account: 'Initech.example Inc' })!.key).not.toContain('.');
  });

  it('maps keys to themselves, so a key read from the state finds its account', () => {
    for (const input of ['Initech, Inc.', 'Müller Systeme GmbH', 'www.initech.example', 'AT&T']) {
      const key = accountKey({ account: input })!.key;
      expect(accountKeyOf(key)!.key).toBe(key);
    }
  });
});
