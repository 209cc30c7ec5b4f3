/**
 * A tiny static file server that serves a built site the way GitHub Pages does: under its path
 * prefix (a project site lives at /<repo>/), gzip when the browser accepts it, `max-age=600`,
 * "/dir" redirected to "/dir/", and the site's own 404.html (status 404) for unknown paths
 * inside the prefix. On 127.0.0.1 and a free port. Used by the browser tests and by
 * `npm run audit:pages`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.json', '.xml', '.csv', '.txt', '.svg']);

export interface StaticSite {
  /** The site's root URL, ending with the path prefix, e.g. http://127.0.0.1:40123/amur-leopard/ */
  url: string;
  close(): Promise<void>;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
}

async function isDirectory(file: string): Promise<boolean> {
  return stat(file).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

async function send(request: IncomingMessage, response: ServerResponse, file: string, status: number): Promise<void> {
  const extension = path.extname(file);
  const gzip = COMPRESSIBLE.has(extension) && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  response.writeHead(status, {
    'content-type': TYPES[extension] ?? 'application/octet-stream',
    'cache-control': 'max-age=600',
    vary: 'Accept-Encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const body = createReadStream(file);
  await (gzip ? pipeline(body, createGzip(), response) : pipeline(body, response)).catch(() => response.destroy());
}

/**
 * Serves `directory` at `pathPrefix` (e.g. "/amur-leopard/"). Anything outside the prefix is a
 * plain 404, as on another repository's Pages site; an unknown path inside it gets 404.html.
 */
export async function serveStatic(directory: string, pathPrefix = '/'): Promise<StaticSite> {
  const root = path.resolve(directory);
  const notFoundPage = path.join(root, '404.html');
  const server: Server = createServer(async (request, response) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
      return;
    }
    if (`${pathname}/` === pathPrefix) {
      response.writeHead(301, { location: pathPrefix }).end();
      return;
    }
    if (!pathname.startsWith(pathPrefix)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    let file = path.join(root, pathname.slice(pathPrefix.length));
    // Refuse paths that climb out of the site folder.
    if (file !== root && !file.startsWith(root + path.sep)) file = '';
    if (file && (await isDirectory(file))) {
      if (!pathname.endsWith('/')) {
        response.writeHead(301, { location: `${pathname}/` }).end();
        return;
      }
      file = path.join(file, 'index.html');
    }
    if (file && (await isFile(file))) return send(request, response, file, 200);
    if (await isFile(notFoundPage)) return send(request, response, notFoundPage, 404);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Never keep the process alive because of the server.
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
