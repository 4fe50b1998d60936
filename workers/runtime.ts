/**
 * The process's Temporal Runtime options. The Runtime can be installed once per
 * process, before the first connection, so `npm start` and `npm run worker`
 * install it from here and nowhere else.
 *
 * Logs: the SDK's own (worker, workflow and activity context loggers, with the
 * workflow and activity fields the SDK attaches) and core's (forwarded from the
 * native side instead of printed by it) all go to pino with `component:
 * "temporal"`, at LOG_LEVEL. Third-party native crates (the gRPC transport) log
 * warnings and errors only, or errors only with LOG_LEVEL=error.
 */
import type { Logger as PinoLogger } from 'pino';
import { makeTelemetryFilterString, type LogLevel as SdkLevel, type LogMetadata, type Logger, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../config/env';
import { processLogger, type LogLevel } from '../config/logging';

const PINO_LEVEL: Record<SdkLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};
const SDK_LEVEL: Record<LogLevel, SdkLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/** The SDK's Logger interface over pino. Symbol keys of the metadata (the SDK's timestamp) are left out. */
export function temporalLogger(pinoLogger: PinoLogger): Logger {
  const log = (level: SdkLevel, message: string, meta?: LogMetadata) => {
    const fields = meta ? Object.fromEntries(Object.entries(meta)) : {};
    pinoLogger[PINO_LEVEL[level] ?? 'info'](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export function runtimeOptions(config: Config, pinoLogger: PinoLogger = processLogger(config.logLevel)): RuntimeOptions {
  const { host, port } = config.metrics;
  const level = SDK_LEVEL[config.logLevel];
  return {
    // The programs handle SIGINT/SIGTERM themselves, to stop the parts in order.
    shutdownSignals: [],
    logger: temporalLogger(pinoLogger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: {
        filter: makeTelemetryFilterString({ core: level, other: level === 'ERROR' ? 'ERROR' : 'WARN' }),
        forward: {},
      },
      // SDK metrics and ours (activities/metrics.ts) on http://METRICS_HOST:METRICS_PORT/metrics.
      ...(port && { metrics: { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` } } }),
    },
  };
}
