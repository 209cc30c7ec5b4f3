/**
 * How every script and test runs Eleventy: under tsx (Node 20 cannot strip types) with our
 * TypeScript config, which Eleventy 3.1 does not find by itself. Run it from the project root.
 */

/** Eleventy's command-line entry, which the Node flags before it run. */
export const ELEVENTY_COMMAND = 'node_modules/@11ty/eleventy/cmd.cjs';

/** Node arguments that run one Eleventy build (or, with `serve`, the live-reloading server). */
export function eleventyArguments(
  options: { output?: string; serve?: boolean; preloads?: readonly string[] } = {},
): string[] {
  return [
    // A bigger young generation: at a million signatures the build allocates millions of short-lived
    // strings, and the default 16 MB semi-space made garbage collection a tenth of its time.
    '--max-semi-space-size=64',
    ...(options.preloads ?? []).flatMap((preload) => ['--import', preload]),
    '--import',
    'tsx',
    ELEVENTY_COMMAND,
    '--config=.eleventy.ts',
    ...(options.output ? [`--output=${options.output}`] : []),
    '--quiet',
    ...(options.serve ? ['--serve'] : []),
  ];
}
