import { describe, expect, it } from 'vitest';
import { isPetitionOpen, normalisePathPrefix, resolveSettings, siteBaseUrl } from '../../scripts/core/settings.ts';

const valid = {
  title: 'Save the Amur Leopard',
  goal: 10000,
  state: 'open',
  closing_date: '2027-06-30',
  repository: 'owner/repo',
  site_url: 'https://owner.github.io/',
  path_prefix: 'repo',
};

describe('petition settings', () => {
  it('normalise the site URL to its origin and the path prefix to /name/', () => {
    const settings = resolveSettings(valid);
    expect(settings.site_url).toBe('https://owner.github.io');
    expect(settings.path_prefix).toBe('/repo/');
    expect(siteBaseUrl(settings)).toBe('https://owner.github.io/repo/');
    expect(normalisePathPrefix('')).toBe('/');
  });

  it('let the build environment point a fork at its own repository and address', () => {
    const settings = resolveSettings(valid, {
      PETITION_REPOSITORY: 'someone/their-petition',
      SITE_URL: 'https://petition.example.org',
      PATH_PREFIX: '/',
    });
    expect(settings).toMatchObject({
      repository: 'someone/their-petition',
      site_url: 'https://petition.example.org',
      path_prefix: '/',
    });
    expect(resolveSettings(valid, { PATH_PREFIX: '', SITE_URL: '' }).path_prefix).toBe('/repo/');
  });

  it('list every mistake in a broken settings file at once', () => {
    expect(() =>
      resolveSettings({ ...valid, goal: 0, state: 'paused', closing_date: '30/06/2027', repository: 'not a repo' }),
    ).toThrowError(
      /"goal" must be a whole number of at least 1\.\n- "state" must be "open" or "closed"\.\n- "closing_date" must be a date written YYYY-MM-DD\.\n- "repository" must look like "owner\/name"/,
    );
  });

  it('accept signatures until the end of the closing day (UTC) and never when closed', () => {
    const settings = resolveSettings(valid);
    expect(isPetitionOpen(settings, new Date('2027-06-30T23:59:59Z'))).toBe(true);
    expect(isPetitionOpen(settings, new Date('2027-07-01T00:00:00Z'))).toBe(false);
    expect(isPetitionOpen({ ...settings, state: 'closed' }, new Date('2026-01-01T00:00:00Z'))).toBe(false);
  });
});
