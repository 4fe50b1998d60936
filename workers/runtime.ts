/**
 * The process's Temporal Runtime options. The Runtime can be installed once per
 * process, before the first connection, so `npm start` and `npm run worker`
 * install it from here and nowhere else.
 */
import type { RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../config/env';

export function runtimeOptions(config: Config): RuntimeOptions {
  const { host, port } = config.metrics;
  return {
    // The programs handle SIGINT/SIGTERM themselves, to stop the parts in order.
    shutdownSignals: [],
    // SDK metrics and ours (activities/metrics.ts) on http://METRICS_HOST:METRICS_PORT/metrics.
    ...(port && {
      telemetryOptions: { metrics: { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` } } },
    }),
  };
}
