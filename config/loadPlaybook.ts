/**
 * Reads a playbook file (PLAYBOOK_PATH): JSON, or YAML for `.yaml`/`.yml`.
 * Node-only (node:fs); the workflow never imports this, it receives the parsed
 * playbook in its start input.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Parsed } from '../workflows/types';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { parsePlaybook, type Playbook } from '../workflows/playbook';

export function loadPlaybookFile(path: string): Parsed<Playbook> {
  let json: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    json = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ field: '(file)', message: `${path}: ${(err as Error).message}` }] };
  }
  return parsePlaybook(json);
}

/**
 * For program entry points: the playbook at `path`, or the default playbook when
 * no path is set. A bad file prints one line per problem (naming the field) to
 * stderr and exits 2, like a bad environment.
 */
export function loadPlaybookOrExit(path: string | undefined): Playbook {
  if (!path) return DEFAULT_PLAYBOOK;
  const parsed = loadPlaybookFile(path);
  if (parsed.ok) return parsed.value;
  for (const e of parsed.errors) process.stderr.write(`playbook error: PLAYBOOK_PATH ${e.field}: ${e.message}\n`);
  process.exit(2);
}

/** The program links that still point at example.com (the default playbook's placeholders). */
export function placeholderLinks(playbook: Playbook): string[] {
  const { program } = playbook;
  const links = [program.portalUrl, program.surveyUrl, program.officeHoursUrl, program.community.url, program.certificatesUrl];
  return links.filter((url): url is string => url !== undefined && /^https?:\/\/([^/]+\.)?example\.com(\/|$)/i.test(url));
}
