/**
 * The site's path prefix (/<repository>/ on a GitHub Pages project site), added to every root-relative URL of
 * every HTML page: what Eleventy's HtmlBasePlugin does, for the same tags and attributes
 * (@11ty/posthtml-urls' list), the same way (Eleventy's own `url` filter for any URL out of the
 * ordinary), without parsing each page into a tree and building a URL object, which throws for
 * every relative URL. At 1,000,000 signatures the plugin spent 2.3 s on 2,150 page frames; this
 * takes a few milliseconds. test/site/path-prefix.test.ts builds the site both ways and compares
 * every page byte for byte.
 */

/** The tags and attributes whose URLs get the prefix, as @11ty/posthtml-urls lists them. */
const URL_ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href', 'ping'],
  area: ['href', 'ping'],
  audio: ['src'],
  base: ['href'],
  blockquote: ['cite'],
  button: ['formaction'],
  del: ['cite'],
  embed: ['src'],
  form: ['action'],
  iframe: ['src'],
  img: ['src', 'srcset'],
  input: ['formaction', 'src'],
  ins: ['cite'],
  link: ['href'],
  object: ['data'],
  q: ['cite'],
  script: ['src'],
  source: ['src', 'srcset'],
  track: ['src'],
  video: ['poster', 'src'],
};

// One start tag of those elements. Attribute values in our pages never hold "<" or ">" (Nunjucks
// and markdown-it escape them), and [^<>] stops at the next tag, so a failed match costs at most
// the length of one tag: linear.
const TAG = new RegExp(`<(${Object.keys(URL_ATTRIBUTES).join('|')})(\\s[^<>]*)>`, 'gi');
const ATTRIBUTE = /(\s)([a-z-]+)=("[^"]*"|'[^']*')/gi;
// A root-relative path, optionally with a query or fragment (single character classes: linear).
const ROOT_RELATIVE = /^\/[\w~!$&'()*+,;=:@%/.-]*(?:[?#]\S*)?$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** A root-relative path that a normaliser would leave as it is: no "//", no "." or ".." segment. */
function isPlainPath(url: string): boolean {
  if (!ROOT_RELATIVE.test(url)) return false;
  const end = url.search(/[?#]/);
  const pathPart = end < 0 ? url : url.slice(0, end);
  return !pathPart.includes('//') && !DOT_SEGMENT.test(pathPart);
}

/**
 * Returns a function that adds `pathPrefix` to the URLs of an HTML page. `urlFilter` is
 * Eleventy's `url` filter, used for every URL that is not a plain root-relative path, so that
 * anything unusual is treated exactly as HtmlBasePlugin treats it.
 */
export function pathPrefixer(pathPrefix: string, urlFilter: (url: string, prefix: string) => string) {
  const prefix = pathPrefix.endsWith('/') ? pathPrefix : `${pathPrefix}/`;
  const one = (raw: string): string => {
    const url = raw.trim();
    if (isPlainPath(url)) return prefix + url.slice(1);
    return urlFilter(url, pathPrefix);
  };
  const srcset = (value: string) =>
    value
      .split(',')
      .map((candidate) => {
        const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
        return [one(url), ...descriptor].join(' ');
      })
      .join(', ');
  return (html: string): string => {
    if (prefix === '/') return html;
    return html.replace(TAG, (tag: string, name: string, attributes: string) => {
      const wanted = URL_ATTRIBUTES[name.toLowerCase()]!;
      const rewritten = attributes.replace(
        ATTRIBUTE,
        (whole: string, space: string, attribute: string, quoted: string) => {
          const lower = attribute.toLowerCase();
          if (!wanted.includes(lower)) return whole;
          const quote = quoted[0]!;
          const value = quoted.slice(1, -1);
          return `${space}${attribute}=${quote}${lower === 'srcset' ? srcset(value) : one(value)}${quote}`;
        },
      );
      return `<${name}${rewritten}>`;
    });
  };
}
