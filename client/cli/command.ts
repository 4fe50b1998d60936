/**
 * The CLI's building blocks: commands with documented options, exit codes, and
 * the failures that map to them.
 */
import { CliError, EXIT } from './errors';
import type { ApiClient } from './http';

export { CliError, EXIT, type ExitCode } from './errors';

export const usageError = (message: string) => new CliError(EXIT.usage, message);


export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help, e.g. `--days <n>`. */
  value?: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CliContext {
  api: ApiClient;
  json: boolean;
  out(line?: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Positional arguments, e.g. `<partnerId>`. */
  args: string[];
  options: Record<string, OptionSpec>;
  run(input: { values: OptionValues; positionals: string[] }, ctx: CliContext): Promise<void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print JSON (for scripts) instead of tables' },
  help: { type: 'boolean', description: 'show this help' },
};

export function commandHelp(command: Command): string {
  const options = { ...command.options, ...COMMON_OPTIONS };
  const flags = Object.entries(options).map(([name, o]) => [`--${name}${o.value ? ` <${o.value}>` : ''}`, o.description]);
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return [
    `usage: onboarding ${command.name}${command.args.map((a) => ` ${a}`).join('')} [options]`,
    '',
    command.summary,
    '',
    'options:',
    ...flags.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
  ].join('\n');
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a JSON option value or file content; a parse failure is a usage error naming the source. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(`${source} is not valid JSON (${(err as Error).message})`);
  }
}
