/**
 * The logger of the worker and supervisor processes: JSON lines through pino
 * (config/logging.ts), one child per component. No secrets, no bodies.
 */
import type { Logger as PinoLogger } from 'pino';
import { processLogger, type LogLevel } from '../config/logging';

export type { LogLevel };

export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

/** Our `(msg, meta)` call shape over a pino logger (pino takes `(meta, msg)`). */
export function wrapPino(pinoLogger: PinoLogger): Logger {
  const write = (level: LogLevel) => (msg: string, meta?: Record<string, unknown>) =>
    meta ? pinoLogger[level](meta, msg) : pinoLogger[level](msg);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function createLogger(component: string, level: LogLevel = 'info'): Logger {
  return wrapPino(processLogger(level).child({ component }));
}
