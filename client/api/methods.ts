/**
 * 405 for a method a known path does not declare, with `Allow` (RFC 9110
 * 15.5.6), and OPTIONS answered with `Allow`; 404 only for paths that do not
 * exist. Decided in onRequest, before any body is read, so an undeclared
 * method never meets a body parser's error first.
 */
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { HttpError } from './errors';

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

/** `/v1/partners/:partnerId` -> a RegExp matching concrete paths. */
function compile(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export class MethodGuard {
  private readonly paths = new Map<string, PathMethods>();

  /** Call before any route is added: records every route's path and methods. */
  static install(app: FastifyInstance): MethodGuard {
    const guard = new MethodGuard();
    app.addHook('onRoute', (route) => guard.add(route.url ?? route.path, route.method));
    app.addHook('onRequest', async (req, reply) => {
      // The router would serve GET /v1/accounts/events as /v1/accounts/{account}; the document (like
      // OpenAPI's matching) says a literal path is its own route only, so it is decided here too.
      if (!req.is404 && !guard.literalLacks(pathOf(req), req.method)) return;
      const allow = guard.allowed(pathOf(req));
      if (!allow) throw new HttpError(404, 'not_found', `no route ${req.method} ${pathOf(req)}`);
      if (req.method === 'OPTIONS') return reply.code(204).header('allow', allow).send();
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${pathOf(req)}; allowed: ${allow}`, undefined, {
        allow,
      });
    });
    return guard;
  }

  add(url: string, method: HTTPMethods | HTTPMethods[]): void {
    const entry = this.paths.get(url) ?? { pattern: compile(url), methods: new Set<string>() };
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
    this.paths.set(url, entry);
  }

  /** True when a route names this path literally but not this method (HEAD goes with GET). */
  literalLacks(path: string, method: string): boolean {
    const literal = this.paths.get(path);
    if (!literal) return false;
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return !literal.methods.has(m);
  }

  /**
   * The `Allow` value for a concrete path, or null when no route has this path.
   * A path a route names literally is that route's alone, as in the router:
   * `/v1/accounts/events` is not also `/v1/accounts/{account}`.
   */
  allowed(path: string): string | null {
    const literal = this.paths.get(path);
    const matching = literal ? [literal] : [...this.paths.values()].filter(({ pattern }) => pattern.test(path));
    const methods = new Set<string>(matching.flatMap(({ methods: declared }) => [...declared]));
    if (!methods.size) return null;
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods].sort().join(', ');
  }
}

function pathOf(req: FastifyRequest): string {
  return (req.url ?? '').split('?')[0];
}
