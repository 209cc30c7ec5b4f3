/**
 * How our long-running commands (`npm start`, `npm run demo`, `try-locally --serve`) run
 * Eleventy's server so that stopping them stops it.
 *
 * Two ways it used to survive: a script that spawned Eleventy and died on SIGTERM left its
 * child running; and npm runs a script through `sh -c`, which dies on SIGTERM without passing
 * it on, so even a script that forwards signals never hears of it. So: forward SIGINT, SIGTERM
 * and SIGHUP to the child, and also watch the parent process: when it goes away (its pid
 * changes), stop the child as if a SIGTERM had come.
 */
import type { ChildProcess } from 'node:child_process';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ties `child`'s life to this process: signals are passed on, an orphaned process stops it,
 * and when it exits `cleanup` runs and this process exits with the child's status.
 */
export function superviseChild(child: ChildProcess, cleanup: () => Promise<void> | void = () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of SIGNALS) process.on(signal, () => stop(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop('SIGTERM');
  }, 500);
  watch.unref();
  child.once('exit', async (code, signal) => {
    clearInterval(watch);
    await cleanup();
    process.exit(code ?? (signal && !stopping ? 1 : 0));
  });
}
