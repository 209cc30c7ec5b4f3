import { describe, expect, it } from 'vitest';
import { resolveCountry } from '../../scripts/core/countries.ts';

describe('resolving what a signer typed as their country', () => {
  it.each([
    ['Россия', 'RU'],
    ['中国', 'CN'],
    ['Deutschland', 'DE'],
    ['DE', 'DE'],
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['UK', 'GB'],
    ['USA', 'US'],
    ['PRC', 'CN'],
    ['  côte d’ivoire ', 'CI'],
    ['Hong Kong', 'HK'],
    ['Казахстан', 'KZ'],
    ['Монголия', 'MN'],
  ])('understands %s as %s', (typed, code) => {
    expect(resolveCountry(typed)?.code).toBe(code);
  });

  it.each(['', 'Atlantis', 'Earth', 'ZZ'])('does not guess a country for %j', (typed) => {
    expect(resolveCountry(typed)).toBeUndefined();
  });
});
