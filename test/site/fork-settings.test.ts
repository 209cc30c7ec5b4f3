/**
 * Fork-ability: the site built with another repository, site URL, path prefix, title, goal and
 * state must follow them everywhere (every href/src/action of every page, feeds, canonical URLs,
 * og:url, the sitemap, the sign form and the links to GitHub) and never point back to the
 * repository or site named in content/settings.json.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseHTML, DOMParser } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseSettings, buildSite, listFiles, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { drawnListPage } from '../helpers/list-script.ts';
import { readSitemaps } from '../helpers/sitemap.ts';

const fixtures = path.join(projectRoot, 'test/fixtures/signatures');
/** The fixture's one signer came through issue #42. */
const FIXTURE_ISSUE = 42;

/** What must never appear in a fork's build: the repository and site of content/settings.json. */
const DEFAULT_REPOSITORY = String(baseSettings.repository);
const DEFAULT_SITE = String(baseSettings.site_url);
const DEFAULT_PREFIX = String(baseSettings.path_prefix);

interface Fork {
  /** What this fork is, for test titles. */
  label: string;
  repository: string;
  /** The published site's root: origin plus path prefix. */
  base: string;
  title: string;
  goal: number;
  open: boolean;
  settings: Record<string, unknown>;
  env?: Record<string, string>;
}

const FORKS: Fork[] = [
  {
    label: 'a project site of another repository, with another title and goal',
    repository: 'greenpeace-ru/save-tigers',
    base: 'https://greenpeace-ru.github.io/save-tigers/',
    title: 'Save the Amur Tiger',
    goal: 5000,
    open: true,
    settings: {
      repository: 'greenpeace-ru/save-tigers',
      site_url: 'https://greenpeace-ru.github.io',
      path_prefix: '/save-tigers/',
      title: 'Save the Amur Tiger',
      goal: 5000,
      state: 'open',
      closing_date: '2099-12-31',
    },
  },
  {
    // As the Pages workflow builds a fork: settings.json untouched, the environment overrides it.
    label: 'a fork on a custom domain, set by the environment as the Pages workflow does',
    repository: 'greenpeace-ru/save-tigers',
    base: 'https://tigers.example.org/',
    title: String(baseSettings.title),
    goal: Number(baseSettings.goal),
    open: true,
    settings: { state: 'open', closing_date: '2099-12-31' },
    env: { PETITION_REPOSITORY: 'greenpeace-ru/save-tigers', SITE_URL: 'https://tigers.example.org', PATH_PREFIX: '/' },
  },
  {
    label: 'a closed petition of another organisation',
    repository: 'tiger-friends/letter-for-tigers',
    base: 'https://tiger-friends.github.io/letter-for-tigers/',
    title: 'A Letter for the Tigers',
    goal: 250,
    open: false,
    settings: {
      repository: 'tiger-friends/letter-for-tigers',
      site_url: 'https://tiger-friends.github.io',
      path_prefix: '/letter-for-tigers/',
      title: 'A Letter for the Tigers',
      goal: 250,
      state: 'closed',
    },
  },
];

/** One URL found in the build, and where. */
interface FoundLink {
  where: string;
  url: string;
}

/** The path of a page inside the site, from its output file: "letter/index.html" → "letter/". */
function pagePath(file: string): string {
  return file.replace(/(^|\/)index\.html$/, '$1');
}

/** Every href, src and action of every element, and the og:url, og:image and twitter:image, of one HTML document. */
function linksInHtml(document: Document, where: string): FoundLink[] {
  const links: FoundLink[] = [];
  for (const element of document.querySelectorAll('[href], [src], [action]')) {
    for (const attribute of ['href', 'src', 'action']) {
      const url = element.getAttribute(attribute);
      if (url !== null) links.push({ where: `${where} <${element.tagName.toLowerCase()} ${attribute}>`, url });
    }
  }
  for (const meta of document.querySelectorAll(
    'meta[property="og:url"], meta[property="og:image"], meta[name="twitter:image"]',
  )) {
    const name = meta.getAttribute('property') ?? meta.getAttribute('name');
    links.push({ where: `${where} ${name}`, url: meta.getAttribute('content') ?? '' });
  }
  return links;
}

/** Checks links against one built fork: internal ones must name existing files (and anchors). */
class LinkChecker {
  private readonly documents = new Map<string, Document | null>();
  private readonly site: BuiltSite;
  private readonly fork: Fork;
  constructor(site: BuiltSite, fork: Fork) {
    this.site = site;
    this.fork = fork;
  }

  /** The output file an internal URL names, or undefined for a URL outside the site. */
  fileFor(url: URL): string | undefined {
    if (!url.href.startsWith(this.fork.base) && `${url.origin}${url.pathname}/` !== this.fork.base) return undefined;
    const relative = decodeURIComponent(url.pathname.slice(new URL(this.fork.base).pathname.length));
    return relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative;
  }

  private async document(file: string): Promise<Document | null> {
    if (!this.documents.has(file)) {
      // A list page's anchors are its entries, drawn by its script from the open data.
      this.documents.set(file, file.endsWith('.html') ? await drawnListPage(this.site.output, file) : null);
    }
    return this.documents.get(file)!;
  }

  /** Every problem with one link found on the page `fromFile`; none means it is fine. */
  async problems({ where, url }: FoundLink, fromFile: string): Promise<string[]> {
    const problems: string[] = [];
    if (url.includes(DEFAULT_REPOSITORY) || url.includes(new URL(DEFAULT_SITE).host)) {
      problems.push(`${where}: ${url} names the default repository or site`);
    }
    if (url.startsWith(DEFAULT_PREFIX) && DEFAULT_PREFIX !== new URL(this.fork.base).pathname) {
      problems.push(`${where}: ${url} uses the default path prefix`);
    }
    if (url.startsWith('mailto:')) return problems;
    const resolved = new URL(url, this.fork.base + pagePath(fromFile));
    const file = this.fileFor(resolved);
    if (file === undefined) {
      if (resolved.origin === new URL(this.fork.base).origin) {
        problems.push(`${where}: ${url} leaves the site's path prefix ${new URL(this.fork.base).pathname}`);
      } else if (resolved.host === 'github.com' && resolved.pathname !== '/signup') {
        if (!`${resolved.pathname}/`.startsWith(`/${this.fork.repository}/`)) {
          problems.push(`${where}: ${url} is a GitHub link to another repository than ${this.fork.repository}`);
        }
      }
      return problems;
    }
    const exists = await stat(path.join(this.site.output, file)).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (!exists) return [...problems, `${where}: ${url} names ${file}, which the build does not contain`];
    const id = decodeURIComponent(resolved.hash.slice(1));
    const target = id ? await this.document(file) : null;
    if (target && !target.getElementById(id))
      problems.push(`${where}: ${url} names an anchor #${id} that ${file} lacks`);
    return problems;
  }
}

/** The text of every file the build wrote, by path. */
async function allOutput(site: BuiltSite): Promise<Map<string, string>> {
  const files = (await readdir(site.output, { recursive: true })) as string[];
  const texts = new Map<string, string>();
  for (const file of files.sort()) {
    if ((await stat(path.join(site.output, file))).isFile()) texts.set(file, await site.read(file));
  }
  return texts;
}

// Start every build at once; each describe block waits for its own.
const builds = FORKS.map((fork) =>
  buildSite({ signaturesDir: path.join(fixtures, 'one'), settings: fork.settings, env: fork.env ?? {} }),
);

describe.each(FORKS.map((fork, index) => ({ fork, index, label: fork.label })))('$label', ({ fork, index }) => {
  let site: BuiltSite;
  let pages: string[];
  let checker: LinkChecker;
  beforeAll(async () => {
    site = await builds[index]!;
    pages = await listFiles(site.output, ['.html']);
    checker = new LinkChecker(site, fork);
  });

  it('links every page only to files that exist under its own URL and path prefix, or to other sites', async () => {
    const problems: string[] = [];
    let count = 0;
    for (const page of pages) {
      for (const link of linksInHtml(await site.dom(page), page)) {
        count += 1;
        problems.push(...(await checker.problems(link, page)));
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(pages.length * 10);
  });

  it('never names the default repository or site in any file it publishes', async () => {
    for (const [file, text] of await allOutput(site)) {
      expect(text, file).not.toContain(DEFAULT_REPOSITORY);
      expect(text, file).not.toContain(new URL(DEFAULT_SITE).host);
    }
  });

  it("gives every page a canonical URL and og:url on the fork's own site", async () => {
    for (const page of pages) {
      const dom = await site.dom(page);
      const canonical = dom.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? '';
      expect(canonical, page).toMatch(new RegExp(`^${fork.base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      expect(dom.querySelector('meta[property="og:url"]')?.getAttribute('content'), page).toBe(canonical);
    }
    expect((await site.dom('index.html')).querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(fork.base);
    expect((await site.dom('letter/index.html')).querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(
      `${fork.base}letter/`,
    );
  });

  it("gives every page a share card (og:image, twitter:image) that is a file on the fork's own site", async () => {
    for (const page of pages) {
      const dom = await site.dom(page);
      const image = dom.querySelector('meta[property="og:image"]')?.getAttribute('content') ?? '';
      expect(image.startsWith(`${fork.base}share/`) && image.endsWith('.png'), `${page}: ${image}`).toBe(true);
      expect(dom.querySelector('meta[name="twitter:image"]')?.getAttribute('content'), page).toBe(image);
      expect(await checker.problems({ where: `${page} og:image`, url: image }, page)).toEqual([]);
    }
  });

  it('publishes its counter, embed snippet, map and poster QR code with its own addresses', async () => {
    const snippet = (await site.dom('how-it-works/index.html')).querySelector('#counter ~ pre code')?.textContent ?? '';
    const embedded = parseHTML(`<body>${snippet}`).document as unknown as Document;
    expect(embedded.querySelector('a')?.getAttribute('href')).toBe(fork.base);
    expect(embedded.querySelector('img')?.getAttribute('src')).toBe(`${fork.base}badge.svg`);
    expect(embedded.querySelector('img')?.getAttribute('alt')).toContain(fork.title);
    for (const link of linksInHtml(embedded, 'embed snippet')) {
      expect(await checker.problems(link, 'how-it-works/index.html')).toEqual([]);
    }
    expect(await site.read('badge.svg')).toContain(`>${fork.title}</text>`);
    const poster = await site.dom('poster/index.html');
    expect(poster.querySelector('.qr-code title')?.textContent).toBe(
      `QR code: ${fork.open ? `sign the petition at ${fork.base}sign/` : `read the petition at ${fork.base}`}`,
    );
  });

  it('lists in the sitemap only pages of its own site that the build contains', async () => {
    const { sitemaps, locations } = await readSitemaps(site, fork.base);
    expect(sitemaps.length).toBeGreaterThan(1);
    expect(locations).toContain(fork.base);
    expect(locations).toContain(`${fork.base}letter/`);
    for (const location of locations) {
      expect(location.startsWith(fork.base), location).toBe(true);
      expect(await checker.problems({ where: 'sitemap.xml', url: location }, 'sitemap.xml')).toEqual([]);
    }
  });

  it('publishes Atom and JSON feeds whose every link is on its own site or another site', async () => {
    const xml = await site.read('updates/feed.xml');
    const atom = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
    const atomUrls = [
      ...[...atom.querySelectorAll('link')].map((link) => link.getAttribute('href') ?? ''),
      ...[...atom.querySelectorAll('id')].map((id) => id.textContent ?? ''),
    ];
    expect(atom.querySelector('title')?.textContent).toBe(`${fork.title}: updates`);
    expect(atomUrls).toContain(`${fork.base}updates/feed.xml`);
    expect(atomUrls).toContain(fork.base);

    const json = JSON.parse(await site.read('updates/feed.json'));
    expect(json.title).toBe(`${fork.title}: updates`);
    expect(json.home_page_url).toBe(fork.base);
    expect(json.feed_url).toBe(`${fork.base}updates/feed.json`);
    const jsonUrls = json.items.flatMap((item: any) => [item.id, item.url]);
    expect(jsonUrls.length).toBeGreaterThan(0);

    for (const url of [...atomUrls, ...jsonUrls, json.home_page_url, json.feed_url]) {
      expect(url.startsWith(fork.base), url).toBe(true);
      expect(await checker.problems({ where: 'feed', url }, 'updates/feed.xml')).toEqual([]);
    }
    // Links inside the posts themselves are absolute, as feed readers need.
    const contents = [
      ...[...atom.querySelectorAll('content')].map((content) => content.textContent ?? ''),
      ...json.items.map((item: any) => item.content_html as string),
    ];
    for (const html of contents) {
      for (const link of linksInHtml(parseHTML(`<body>${html}`).document as unknown as Document, 'feed content')) {
        expect(link.url, link.where).toMatch(/^(https?:|mailto:)/);
        expect(await checker.problems(link, 'updates/feed.xml')).toEqual([]);
      }
    }
  });

  it('sends signers, withdrawals, receipts and recounts to its own GitHub repository', async () => {
    const github = `https://github.com/${fork.repository}`;
    const home = await site.dom('index.html');
    const form = home.querySelector('form.sign-form');
    if (fork.open) {
      expect(form?.getAttribute('action')).toBe(`${github}/issues/new`);
      expect(form?.getAttribute('data-repository')).toBe(fork.repository);
      expect(home.querySelector(`a[href="${github}/issues/new?template=withdraw.yml"]`)).not.toBeNull();
    } else {
      expect(form).toBeNull();
    }
    expect(home.querySelector(`footer a[href="${github}"]`)).not.toBeNull();
    const list = await drawnListPage(site.output, 'signatures/1/index.html');
    expect(list.querySelector('.signers a')?.getAttribute('href')).toBe(`${github}/issues/${FIXTURE_ISSUE}`);
    const howItWorks = await site.dom('how-it-works/index.html');
    expect(howItWorks.querySelector('pre')?.textContent).toContain(`git clone ${github}.git`);
    expect(howItWorks.querySelector('pre')?.textContent).toContain(`cd ${fork.repository.split('/')[1]}`);
    expect(howItWorks.querySelector(`a[href="${github}/issues/new?template=withdraw.yml"]`)).not.toBeNull();
  });

  it('carries its own title and goal into every page, the tally and the open data', async () => {
    // Translated pages (and archived letters in another language) carry the title their
    // content/<code>/index.md gives (a fork translates its own).
    for (const page of pages.filter((file) => !/^(ru|zh)\//.test(file))) {
      const dom = await site.dom(page);
      if (dom.documentElement.getAttribute('lang') !== 'en') continue;
      const title = dom.querySelector('title')?.textContent ?? '';
      expect(title === fork.title || title.endsWith(` · ${fork.title}`), `${page}: ${title}`).toBe(true);
      expect(dom.querySelector('meta[property="og:site_name"]')?.getAttribute('content'), page).toBe(fork.title);
    }
    const home = await site.dom('index.html');
    expect(home.querySelector('h1')?.textContent).toBe(fork.title);
    expect(home.querySelector('progress')?.getAttribute('max')).toBe(String(fork.goal));
    expect(home.querySelector('.goal')?.textContent).toContain(fork.goal.toLocaleString('en'));
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally).toMatchObject({ title: fork.title, goal: fork.goal, is_open: fork.open });
  });

  it(fork.open ? 'offers the sign form while open' : 'says it is closed and offers no form anywhere', async () => {
    for (const page of pages) {
      const dom = await site.dom(page);
      if (!fork.open) {
        expect(dom.querySelector('form'), page).toBeNull();
        const lang = dom.documentElement.getAttribute('lang');
        const closed =
          lang === 'ru' ? 'Эта петиция закрыта' : lang === 'zh' ? '本请愿已关闭' : 'This petition is closed';
        if (!/(^|\/)404\.html$/.test(page)) expect(dom.body.textContent, page).toContain(closed);
      }
    }
    if (fork.open) expect((await site.dom('sign/index.html')).querySelector('form.sign-form')).not.toBeNull();
    else expect(JSON.parse(await site.read('data/tally.json')).state).toBe('closed');
  });
});

describe('the templates and pages in content/', () => {
  it('name the repository, site and path prefix only through settings, never hard-coded', async () => {
    const sources = [
      ...(await listFiles(path.join(projectRoot, 'content'), ['.md', '.njk', '.html', '.json', '.css', '.js', '.svg']))
        .filter((file) => file !== 'settings.json')
        .map((file) => path.join('content', file)),
      '.eleventy.ts',
      ...(await listFiles(path.join(projectRoot, 'scripts/site'), ['.ts'])).map((file) =>
        path.join('scripts/site', file),
      ),
    ];
    expect(sources.length).toBeGreaterThan(20);
    const needles = [DEFAULT_REPOSITORY, new URL(DEFAULT_SITE).host, `${DEFAULT_SITE}${DEFAULT_PREFIX}`];
    if (DEFAULT_PREFIX !== '/') needles.push(`"${DEFAULT_PREFIX}`, `(${DEFAULT_PREFIX}`, `'${DEFAULT_PREFIX}`);
    const found: string[] = [];
    for (const source of sources) {
      const text = await readFile(path.join(projectRoot, source), 'utf8');
      for (const needle of needles) if (text.includes(needle)) found.push(`${source}: ${needle}`);
    }
    expect(found).toEqual([]);
  });
});
