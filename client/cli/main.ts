/**
 * `onboarding <command>`: the CLI over the HTTP API (ONBOARDING_API_URL,
 * ONBOARDING_API_KEY). Tables by default, --json for scripts; exit codes in ./command.ts.
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../../config/env';
import { account, resolve } from './accounts';
import { decide, event, start, update, waive } from './actions';
import { COMMON_OPTIONS, CliError, EXIT, commandHelp, usageError, type Command } from './command';
import { ApiClient } from './http';
import { migrate, playbooks, publish } from './playbooks';
import { preferences } from './preferences';
import { preview } from './preview';
import { list, report, status, timeline } from './views';

const COMMANDS: Command[] = [start, event, status, list, decide, waive, update, timeline, report, preferences, preview, playbooks, publish, migrate, account, resolve];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: onboarding <command> [options]    (onboarding <command> --help for its options)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'environment: ONBOARDING_API_URL (default http://127.0.0.1:3000), ONBOARDING_API_KEY',
    'exit codes: 0 ok, 1 server or network error, 2 usage, 3 not found, 4 invalid input, 5 conflict, 6 auth',
  ].join('\n');
}

function parse(command: Command, argv: string[]) {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, ...COMMON_OPTIONS }).map(([name, o]) => [name, { type: o.type }]),
  );
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

async function run(argv: string[], out: (line?: string) => void): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(topHelp());
    if (name === undefined) throw usageError('give a command');
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw usageError(`unknown command "${name}"; one of: ${COMMANDS.map((c) => c.name).join(', ')}`);
  const { values, positionals } = parse(command, rest);
  if (values.help) return out(commandHelp(command));
  if (positionals.length !== command.args.length) {
    throw usageError(`${command.name} takes ${command.args.join(' ') || 'no arguments'}\n\n${commandHelp(command)}`);
  }
  // Only the CLI's own variables: a server setting elsewhere in the environment is not its concern.
  const { ONBOARDING_API_URL, ONBOARDING_API_KEY } = process.env;
  const { cli } = loadConfigOrExit({ ONBOARDING_API_URL, ONBOARDING_API_KEY });
  const api = new ApiClient(cli.apiUrl, cli.apiKey);
  await command.run({ values, positionals }, { api, json: Boolean(values.json), out });
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  try {
    await run(argv, out);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`onboarding: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join('')}`);
    return err.exitCode;
  }
}
