/**
 * Requests a browser makes on behalf of another site never change anything.
 *
 * - With API keys, the console sends its key in an Authorization header, which
 *   a cross-site page cannot make the browser add (no cookie carries it).
 * - Still, and above all when the API is open (no API_KEYS, loopback only), a
 *   state-changing request (any method but GET, HEAD, OPTIONS) whose `Origin`
 *   is not this server, or that the browser labels `Sec-Fetch-Site:
 *   cross-site`/`same-site`, is refused with 403. Programs (curl, the CLI,
 *   other systems, Slack) send neither header and are not affected. JSON
 *   bodies need `Content-Type: application/json`, which a cross-site form
 *   cannot send and a cross-site fetch cannot send without a CORS preflight,
 *   which this API never grants.
 * - When the API is open, a request whose Host is not a loopback name is
 *   refused, so a DNS-rebinding page cannot reach it as a "same origin".
 * - `corsAllowed` names the cross-origin calls that are meant to be: the
 *   payload codec called by the Temporal Web UI from an origin listed in
 *   CODEC_CORS_ORIGINS (./codec.ts; decoding changes nothing, and the key is
 *   still required).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopback } from './auth';
import { HttpError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostName(host: string): string {
  // "127.0.0.1:3000" -> 127.0.0.1, "[::1]:3000" -> ::1
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1];
  return host.replace(/:\d+$/, '');
}

function sameOrigin(req: FastifyRequest, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function installCrossSiteGuard(app: FastifyInstance, open: boolean, corsAllowed: (req: FastifyRequest) => boolean = () => false): void {
  app.addHook('onRequest', async (req) => {
    if (open && !isLoopback(hostName(req.headers.host ?? ''))) {
      throw new HttpError(403, 'forbidden', 'this API is open (no API_KEYS) and answers only requests to a loopback host name');
    }
    if (SAFE_METHODS.has(req.method) || corsAllowed(req)) return;
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (site === 'cross-site' || site === 'same-site' || (typeof origin === 'string' && !sameOrigin(req, origin))) {
      throw new HttpError(403, 'forbidden', 'a cross-site request cannot change anything here');
    }
  });
}
