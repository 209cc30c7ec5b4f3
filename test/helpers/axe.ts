/**
 * Test helper: axe-core (the engine behind Lighthouse's accessibility audit) run in a page, in
 * both colour schemes, its violations as readable lines.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

/** axe's script, for a context's init script or a page's script tag. */
export const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe on the page as it is now (all its default rules, or only `rules`); returns its violations as readable lines and the rules it ran. */
async function runAxe(page: Page, where: string, rules?: string[]): Promise<{ violations: string[]; ran: string[] }> {
  // The visits' contexts load axe into every page as it opens (one transfer of axe's 500 KB a tab,
  // not one a visit); other pages get it here.
  if (!(await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function')))
    await page.addScriptTag({ path: axeSource });
  // Only ids and the violations' lines cross to the test: axe's whole results (every rule's
  // nodes, passes included) are megabytes of protocol messages on a long page.
  const results = await page.evaluate(
    async ({ rules, where }) => {
      const axe = (window as unknown as { axe: { run(options: object): Promise<AxeResults> } }).axe;
      const found = await axe.run({
        resultTypes: ['violations'],
        ...(rules ? { runOnly: { type: 'rule', values: rules } } : {}),
      });
      return {
        ran: [...found.passes, ...found.violations, ...found.incomplete, ...found.inapplicable].map((rule) => rule.id),
        violations: found.violations.flatMap((violation) =>
          violation.nodes.map(
            (node) =>
              `${where}: ${violation.id} (${violation.impact}) ${node.target.join(' ')}: ${node.failureSummary}`,
          ),
        ),
      };
    },
    { rules, where },
  );
  const { violations, ran } = results;
  return { violations, ran };
}

/** Every element's box and whether it shows: what a colour scheme must not change. */
function boxes(page: Page): Promise<string> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('*'), (element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return `${x},${y},${width},${height},${element.checkVisibility({ opacityProperty: true, visibilityProperty: true })}`;
    }).join(' '),
  );
}

/** axe's rules about colour (contrast, links told from text by colour alone), by its own tag. */
let colourRules: string[] | undefined;

/**
 * axe on the page in the light scheme, every default rule, then in the dark scheme. The dark
 * scheme only swaps colours (content/assets/site.css), so there axe runs its colour rules: the
 * others read the same DOM and the same boxes. That is checked on each page, not assumed: when
 * any element's box or visibility differs in the dark, every rule runs again.
 */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await runAxe(page, `${where} (light)`);
  const lightBoxes = await boxes(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  colourRules ??= await page.evaluate(() =>
    (window as unknown as { axe: { getRules(tags: string[]): { ruleId: string }[] } }).axe
      .getRules(['cat.color'])
      .map((rule) => rule.ruleId),
  );
  const sameBoxes = (await boxes(page)) === lightBoxes;
  const rules = sameBoxes ? light.ran.filter((rule) => colourRules!.includes(rule)) : undefined;
  if (rules?.length === 0) return light.violations;
  const dark = await runAxe(page, `${where} (dark)`, rules);
  return [...light.violations, ...dark.violations];
}
