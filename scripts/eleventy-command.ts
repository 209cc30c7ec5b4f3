/**
 * How every script and test runs Eleventy: under tsx (Node 20 cannot strip types) with our
 * TypeScript config, which Eleventy 3.1 does not find by itself. Run it from the project root.
 */

/** Node arguments that run one Eleventy build (or, with `serve`, the live-reloading server). */
export function eleventyArguments(
  options: { output?: string; serve?: boolean; preloads?: readonly string[] } = {},
): string[] {
  return [
    ...(options.preloads ?? []).flatMap((preload) => ['--import', preload]),
    '--import',
    'tsx',
    'node_modules/@11ty/eleventy/cmd.cjs',
    '--config=.eleventy.ts',
    ...(options.output ? [`--output=${options.output}`] : []),
    '--quiet',
    ...(options.serve ? ['--serve'] : []),
  ];
}
