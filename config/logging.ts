/**
 * One log format for every part of a process: JSON lines through pino, with the
 * same fields everywhere: `level` (a name: trace, debug, info, warn, error,
 * fatal), `time` (ISO 8601), `msg`, and `component` (main, worker, api,
 * temporal, ...). Our own logs, fastify's (client/api/app.ts) and the Temporal
 * runtime's (workers/runtime.ts forwards core and SDK logs) all go through
 * `createRootLogger`, so LOG_LEVEL and the redaction below apply to all of them.
 */
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Fields that may hold a secret, wherever they appear (top level or one object down). */
const SECRET_FIELDS = ['apiKey', 'apiKeys', 'password', 'secret', 'token', 'authorization', 'cookie', 'smtpUrl', 'encryptionKeys'];
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-onboarding-signature"]',
];
export const REDACTED = '[redacted]';

export interface RootLoggerOptions {
  level: LogLevel | 'silent';
  /** Default: stdout, written synchronously (nothing is lost on process.exit). */
  stream?: DestinationStream;
}

export function createRootLogger({ level, stream }: RootLoggerOptions): PinoLogger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    stream ?? pino.destination({ dest: 1, sync: true }),
  );
}

const roots = new Map<string, PinoLogger>();
/** The process's root logger for a level: one per process, so every part writes the same way. */
export function processLogger(level: LogLevel): PinoLogger {
  let root = roots.get(level);
  if (!root) roots.set(level, (root = createRootLogger({ level })));
  return root;
}
