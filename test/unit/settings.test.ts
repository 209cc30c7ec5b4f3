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

describe('delivery settings', () => {
  it('default the sender, the contact and the volume size so a fork delivers without editing them', () => {
    const settings = resolveSettings(valid, { PETITION_REPOSITORY: 'someone/their-petition' });
    expect(settings.sender).toBe('The organisers of “Save the Amur Leopard”');
    expect(settings.contact).toBe('https://github.com/someone/their-petition');
    expect(settings.offices_now).toEqual([]);
    expect(settings.delivery_volume_size).toBe(10000);
  });

  it('keep what the campaigner set for the sender, contact and offices', () => {
    const settings = resolveSettings({
      ...valid,
      sender: ' Friends of the Leopard ',
      contact: 'letters@example.org',
      offices_now: [
        {
          office: 'Prime Minister',
          recipient_left: 'May 2012',
          holder: 'A. Person',
          holder_as_of: '2026-11-30',
          holder_in: { ru: 'А. Персона' },
        },
        { office: 'Premier' },
      ],
      delivery_volume_size: 5000,
    });
    expect(settings).toMatchObject({
      sender: 'Friends of the Leopard',
      contact: 'letters@example.org',
      delivery_volume_size: 5000,
      offices_now: [
        {
          office: 'Prime Minister',
          recipient_left: 'May 2012',
          holder: 'A. Person',
          holder_as_of: '2026-11-30',
          holder_in: { ru: 'А. Персона' },
        },
        { office: 'Premier', recipient_left: '', holder: '', holder_as_of: '', holder_in: {} },
      ],
    });
  });

  it('refuse offices that are not a list of named offices, and volumes too small to print', () => {
    for (const offices_now of ['Prime Minister', [{ holder: 'A. Person' }], [{ office: 'Premier', holder: 7 }]])
      expect(() => resolveSettings({ ...valid, offices_now })).toThrowError(/"offices_now" must be a list/);
    for (const holder_in of ['Иван', ['Иван'], { ru: 7 }, { 'not a code': 'Иван' }])
      expect(() =>
        resolveSettings({
          ...valid,
          offices_now: [{ office: 'Premier', holder: 'A', holder_as_of: '2026-01-01', holder_in }],
        }),
      ).toThrowError(/"offices_now" must be a list/);
  });

  it('refuse a holder of an office without the day it was checked, or with a day that is not a date', () => {
    const office = { office: 'Premier', holder: 'A. Person' };
    expect(() => resolveSettings({ ...valid, offices_now: [office] })).toThrowError(
      /the holder of "Premier" needs "holder_as_of"/,
    );
    for (const holder_as_of of ['30 November 2026', '2026-13-01', '2026-11'])
      expect(() => resolveSettings({ ...valid, offices_now: [{ ...office, holder_as_of }] })).toThrowError(
        /"holder_as_of" of "Premier" must be a date written YYYY-MM-DD/,
      );
    expect(() =>
      resolveSettings({ ...valid, offices_now: [{ office: 'Premier', holder_as_of: '2026-11-30' }] }),
    ).toThrowError(/"Premier" has "holder_as_of" or "holder_in" but no "holder"/);
    expect(() => resolveSettings({ ...valid, delivery_volume_size: 10 })).toThrowError(
      /"delivery_volume_size" must be a whole number of at least 100/,
    );
  });
});
