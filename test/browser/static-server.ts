/**
 * A tiny static file server for browser tests: serves a built site under its path prefix (as
 * GitHub Pages serves a project site under /<repo>/), on 127.0.0.1 and a free port.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticSite {
  /** The site's root URL, ending with the path prefix, e.g. http://127.0.0.1:40123/amur-leopard/ */
  url: string;
  close(): Promise<void>;
}

/** Serves `directory` at `pathPrefix` (e.g. "/amur-leopard/"); anything outside the prefix is 404. */
export async function serveStatic(directory: string, pathPrefix = '/'): Promise<StaticSite> {
  const root = path.resolve(directory);
  const server: Server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file = pathname.startsWith(pathPrefix) ? path.join(root, pathname.slice(pathPrefix.length)) : '';
    // Refuse paths that climb out of the site folder.
    if (!file || (file !== root && !file.startsWith(root + path.sep))) file = '';
    try {
      if (file && (await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      if (!file || !(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Never keep the test process alive because of the server.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${pathPrefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
