/**
 * The API's Prometheus metrics (prom-client), served by GET /metrics: requests
 * and their latency by route template and status, and partner events accepted
 * or refused. One registry per server, so several servers in one process (the
 * tests) never share counters. Labels are route templates and status codes only:
 * no partner ids, no e-mail addresses, a bounded number of series.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** The events route as fastify names it (see ./routes.ts). */
const EVENTS_ROUTE = '/v1/partners/:partnerId/events';

export interface ApiMetrics {
  registry: Registry;
  /** One answered request; `route` is the matched template, undefined for no route. */
  observe(request: { method: string; route: string | undefined; body: unknown }, status: number, seconds: number): void;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'onboarding_api_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'onboarding_api_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const events = new Counter({
    name: 'onboarding_api_events_total',
    help: 'Partner events received on POST /v1/partners/{partnerId}/events: accepted (signalled) or rejected (the batch was refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    observe({ method, route, body }, status, seconds) {
      const labels = { method, route: route ?? 'unmatched', status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
      if (route === EVENTS_ROUTE && method === 'POST') {
        events.inc({ outcome: status === 202 ? 'accepted' : 'rejected' }, Array.isArray(body) ? body.length : 1);
      }
    },
  };
}
