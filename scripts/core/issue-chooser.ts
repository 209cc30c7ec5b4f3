/**
 * Keeps the issue chooser's link to the petition site (.github/ISSUE_TEMPLATE/config.yml) in step
 * with content/settings.json, so a fork never sends signers to the site it was forked from.
 * GitHub reads the file as it is, with no templating, so the processor rewrites it. Pure.
 */
import YAML from 'yaml';

/** Where GitHub reads the issue chooser's settings. */
export const ISSUE_CHOOSER_CONFIG_PATH = '.github/ISSUE_TEMPLATE/config.yml';

/**
 * Returns config.yml's text with its first contact link pointing at `siteUrl`, or undefined when
 * it already does (or has no contact link to update). Comments and layout are kept.
 */
export function issueChooserConfigFor(currentText: string, siteUrl: string): string | undefined {
  const document = YAML.parseDocument(currentText);
  if (document.errors.length > 0)
    throw new Error(`${ISSUE_CHOOSER_CONFIG_PATH} is not valid YAML: ${document.errors[0]!.message}`);
  const links = document.get('contact_links');
  if (!YAML.isSeq(links) || links.items.length === 0) return undefined;
  const first = links.items[0];
  if (!YAML.isMap(first) || first.get('url') === siteUrl) return undefined;
  first.set('url', siteUrl);
  return document.toString();
}
