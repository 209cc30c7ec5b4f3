/**
 * Petition settings: the one file a campaigner edits besides content/ (content/settings.json).
 * Pure: the caller reads the file and the environment and passes both in.
 */

export type PetitionState = 'open' | 'closed';

export interface Settings {
  /** The petition's title, used in page titles, feeds and the issue title. */
  title: string;
  /** BCP 47 language of the content, for `<html lang>`. */
  language: string;
  /** How many signatures the campaign is aiming for. */
  goal: number;
  /** A maintainer can close the petition at any time by setting this to "closed". */
  state: PetitionState;
  /** The last day (UTC, YYYY-MM-DD) on which signatures are accepted. */
  closing_date: string;
  /** The GitHub repository that receives signatures, "owner/name". */
  repository: string;
  /** Origin of the published site, without a path: "https://owner.github.io" or a custom domain. */
  site_url: string;
  /** Path under the origin where the site lives: "/repo/" on a project site, "/" on a custom domain. */
  path_prefix: string;
  /** Post a receipt comment on each signature issue (2 API calls per signature instead of ~1). */
  thank_you_comments: boolean;
  /** How many of the newest signers the home page and the letter show. */
  latest_signers: number;
  /** How many signatures each page of the full list shows. */
  signatures_per_page: number;
  /** One sentence for search results and shared links, on pages that have no description of their own. */
  description: string;
  /**
   * The lead image: a path inside content/ ("assets/amur-leopard.svg"), or "" for none. Shown on
   * the home page and the poster, and drawn into the share cards.
   */
  image: string;
  /** What the lead image shows, for readers who cannot see it (required with an image). */
  image_alt: string;
  /** Who made the lead image (required with an image: never publish a picture without its credit). */
  image_credit: string;
  /** The licence under which the petition may use the lead image, e.g. "CC0 1.0". */
  image_licence: string;
  /** The accent colour of the pictures on a light background (share cards, badge, map, chart, poster): "#rrggbb". */
  accent_colour: string;
  /** The accent colour of the map and chart in a dark colour scheme: "#rrggbb". */
  accent_colour_dark: string;
  /** Who sends the delivered letter, as the cover letter signs it off (default: "The organisers of “title”"). */
  sender: string;
  /** How a recipient reaches the sender: an address, an email or a URL (default: the repository's page). */
  contact: string;
  /**
   * What has become of each office the letter names, for the delivery's cover letter: when the
   * person the letter names left it, and who holds it now. Matched to the letter's recipients by office.
   */
  offices_now: OfficeNow[];
  /** How many signatures each volume of the delivery packet and each page of the printable list holds. */
  delivery_volume_size: number;
}

/** One office the letter is addressed to, as it stands at delivery (see {@link Settings.offices_now}). */
export interface OfficeNow {
  /** Exactly as in content/letter.md's `recipients`. */
  office: string;
  /** When the person the letter names left the office ("May 2012"); empty if they still hold it. */
  recipient_left: string;
  /** Who holds the office now, in the default language; empty if the campaigner has not named them. */
  holder: string;
  /**
   * The day (YYYY-MM-DD) on which `holder` was checked, printed with it ("as of …"): a holder
   * without one is refused, since "today" on a page read years later would be wrong.
   */
  holder_as_of: string;
  /** The holder's name in other languages, by language code ("ru": "Михаил Мишустин"). */
  holder_in: Record<string, string>;
}

/** Environment variables that override settings, so a fork's build follows its own repository. */
export interface SettingsEnvironment {
  PETITION_REPOSITORY?: string | undefined;
  SITE_URL?: string | undefined;
  PATH_PREFIX?: string | undefined;
}

const REPOSITORY_PATTERN = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const COLOUR_PATTERN = /^#[0-9a-f]{6}$/i;
/** A relative path inside content/ to a picture the share-card renderer and browsers both read. */
const IMAGE_PATTERN = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w./-]+\.(?:svg|png|jpe?g)$/i;

/** Reads one field of the raw settings each, noting every problem in `problems`. */
type FieldReader = ReturnType<typeof fieldReader>;

function fieldReader(input: Record<string, unknown>, problems: string[]) {
  return {
    /** A non-empty string, trimmed. */
    text(key: string, fallback?: string): string {
      const value = input[key] ?? fallback;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`"${key}" must be a non-empty string.`);
        return '';
      }
      return value.trim();
    },
    /** A string that may be empty or missing, trimmed. */
    optionalText(key: string): string {
      const value = input[key] ?? '';
      if (typeof value !== 'string') {
        problems.push(`"${key}" must be a string.`);
        return '';
      }
      return value.trim();
    },
    /** A whole number of at least `min` (and at most `max`, when given). */
    whole(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
      const value = input[key] ?? fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        problems.push(
          max === Number.MAX_SAFE_INTEGER
            ? `"${key}" must be a whole number of at least ${min}.`
            : `"${key}" must be a whole number from ${min} to ${max}.`,
        );
        return fallback;
      }
      return value;
    },
    /** A colour written #rrggbb, in lower case. */
    colour(key: string, fallback: string): string {
      const value = input[key] ?? fallback;
      if (typeof value !== 'string' || !COLOUR_PATTERN.test(value)) {
        problems.push(`"${key}" must be a colour written #rrggbb.`);
        return fallback;
      }
      return value.toLowerCase();
    },
  };
}

/** The petition itself: its title and language, its goal, whether and until when it is open. */
function petitionFields(read: FieldReader, input: Record<string, unknown>, problems: string[]) {
  const title = read.text('title');
  const language = read.text('language', 'en');
  const goal = read.whole('goal', 1000, 1);
  const stateValue = input.state ?? 'open';
  if (stateValue !== 'open' && stateValue !== 'closed') {
    problems.push('"state" must be "open" or "closed".');
  }
  const closing_date = read.text('closing_date');
  if (closing_date && (!DATE_PATTERN.test(closing_date) || Number.isNaN(Date.parse(`${closing_date}T00:00:00Z`)))) {
    problems.push('"closing_date" must be a date written YYYY-MM-DD.');
  }
  return { title, language, goal, state: stateValue as PetitionState, closing_date };
}

/** Where the petition lives: its repository, the site's origin and path prefix, env first. */
function addressFields(
  read: FieldReader,
  input: Record<string, unknown>,
  env: SettingsEnvironment,
  problems: string[],
) {
  const repository = (env.PETITION_REPOSITORY?.trim() || read.text('repository')).trim();
  if (repository && !REPOSITORY_PATTERN.test(repository)) {
    problems.push(`"repository" must look like "owner/name", not "${repository}".`);
  }
  const siteUrlValue = env.SITE_URL?.trim() || read.text('site_url');
  let site_url = '';
  try {
    const url = new URL(siteUrlValue);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    site_url = url.origin;
  } catch {
    if (siteUrlValue)
      problems.push(`"site_url" must be an http(s) origin such as "https://owner.github.io", not "${siteUrlValue}".`);
  }
  // An empty variable counts as unset, so a workflow can pass an output that may be empty.
  const path_prefix = normalisePathPrefix(
    env.PATH_PREFIX?.trim() || (typeof input.path_prefix === 'string' ? input.path_prefix : '/'),
  );
  return { repository, site_url, path_prefix };
}

/** The lead image, with what it shows, its credit and licence, all required with an image. */
function imageFields(read: FieldReader, problems: string[]) {
  const image = read.optionalText('image');
  const image_alt = read.optionalText('image_alt');
  const image_credit = read.optionalText('image_credit');
  const image_licence = read.optionalText('image_licence');
  if (image) {
    if (!IMAGE_PATTERN.test(image))
      problems.push(`"image" must be a path inside content/ ending in .svg, .png or .jpg, not "${image}".`);
    if (!image_alt) problems.push('"image_alt" must say what the image shows.');
    if (!image_credit) problems.push('"image_credit" must name who made the image.');
    if (!image_licence) problems.push('"image_licence" must name the licence that lets the petition use the image.');
  }
  return { image, image_alt, image_credit, image_licence };
}

/**
 * Checks raw settings and applies environment overrides.
 * Throws with every problem listed, because a broken settings file is a maintainer's
 * configuration error that must stop the build or the processor before anything is written.
 */
export function resolveSettings(raw: unknown, env: SettingsEnvironment = {}): Settings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('content/settings.json must contain a JSON object.');
  }
  const input = raw as Record<string, unknown>;
  const problems: string[] = [];
  const read = fieldReader(input, problems);

  // Read in the order of the file, so the problems are listed in that order too.
  const petition = petitionFields(read, input, problems);
  const address = addressFields(read, input, env, problems);
  const thank_you_comments = input.thank_you_comments ?? true;
  if (typeof thank_you_comments !== 'boolean') problems.push('"thank_you_comments" must be true or false.');
  const latest_signers = read.whole('latest_signers', 20, 0);
  // At most 1,000: each list page is drawn in the reader's browser from the open data's part of
  // the page (scripts/site/open-data.ts), which a phone fetches whole.
  const signatures_per_page = read.whole('signatures_per_page', 500, 10, 1000);
  const description = read.text('description', `Sign the petition “${petition.title}”.`);
  const image = imageFields(read, problems);
  const accent_colour = read.colour('accent_colour', '#8a4b00');
  const accent_colour_dark = read.colour('accent_colour_dark', '#f0b05a');
  const sender = read.text('sender', defaultSender(petition.title));
  const contact = read.text('contact', address.repository ? `https://github.com/${address.repository}` : undefined);
  const offices_now = officesNow(input.offices_now, problems);
  const delivery_volume_size = read.whole('delivery_volume_size', 10000, 100);

  if (problems.length > 0) {
    throw new Error(`content/settings.json has problems:\n- ${problems.join('\n- ')}`);
  }
  return {
    ...petition,
    ...address,
    thank_you_comments: thank_you_comments as boolean,
    latest_signers,
    signatures_per_page,
    description,
    ...image,
    accent_colour,
    accent_colour_dark,
    sender,
    contact,
    offices_now,
    delivery_volume_size,
  };
}

/** Reads `offices_now`: a list of { office, recipient_left?, holder?, holder_as_of?, holder_in? }; missing means none. */
function officesNow(value: unknown, problems: string[]): OfficeNow[] {
  if (value === undefined) return [];
  const shape =
    '"offices_now" must be a list of { "office", "recipient_left", "holder", "holder_as_of", "holder_in" } with text values.';
  if (!Array.isArray(value)) {
    problems.push(shape);
    return [];
  }
  const offices: OfficeNow[] = [];
  for (const entry of value) {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const field = (key: string) =>
      typeof item[key] === 'string' ? item[key].trim() : item[key] === undefined ? '' : null;
    const office = field('office');
    const recipient_left = field('recipient_left');
    const holder = field('holder');
    const holder_as_of = field('holder_as_of');
    const holder_in = holderNames(item.holder_in);
    if (!office || recipient_left === null || holder === null || holder_as_of === null || holder_in === null) {
      problems.push(shape);
      return [];
    }
    if (holder && !holder_as_of)
      problems.push(
        `"offices_now": the holder of "${office}" needs "holder_as_of", the day it was checked (YYYY-MM-DD).`,
      );
    if (holder_as_of && !isDate(holder_as_of))
      problems.push(`"offices_now": "holder_as_of" of "${office}" must be a date written YYYY-MM-DD.`);
    if (!holder && (holder_as_of || Object.keys(holder_in).length > 0))
      problems.push(`"offices_now": "${office}" has "holder_as_of" or "holder_in" but no "holder".`);
    offices.push({ office, recipient_left, holder, holder_as_of, holder_in });
  }
  return offices;
}

/** `holder_in`: language code → name, all text; missing means none; null when malformed. */
function holderNames(value: unknown): Record<string, string> | null {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const names: Record<string, string> = {};
  for (const [code, name] of Object.entries(value)) {
    if (typeof name !== 'string' || !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(code)) return null;
    if (name.trim()) names[code] = name.trim();
  }
  return names;
}

const isDate = (value: string) => DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** "/repo", "repo/", "" and "/" all become "/repo/" or "/". */
export function normalisePathPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** The first instant at which signatures are no longer accepted: midnight UTC after the closing date. */
export function closingInstant(settings: Pick<Settings, 'closing_date'>): Date {
  const start = Date.parse(`${settings.closing_date}T00:00:00Z`);
  return new Date(start + 24 * 60 * 60 * 1000);
}

/** Whether signatures are accepted at `now`: the state is open and the closing date has not passed. */
export function isPetitionOpen(settings: Pick<Settings, 'state' | 'closing_date'>, now: Date): boolean {
  return settings.state === 'open' && now.getTime() < closingInstant(settings).getTime();
}

/** The absolute URL of the published site, ending in "/": origin plus path prefix. */
export function siteBaseUrl(settings: Pick<Settings, 'site_url' | 'path_prefix'>): string {
  return `${settings.site_url}${settings.path_prefix}`;
}

/**
 * The sender when the settings name none, in the default language: "The organisers of “Title”".
 * Translated pages word it in their own language instead (site.delivery.default_sender).
 */
export function defaultSender(title: string): string {
  return `The organisers of “${title}”`;
}
