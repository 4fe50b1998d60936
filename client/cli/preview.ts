/**
 * `onboarding preview`: every message a partner's journey sends, written to
 * files for the people who write the playbook. Runs locally through the pure
 * domain (client/preview), with no server: a 120-day journey takes well under
 * a second.
 */
import path from 'node:path';
import { loadPlaybookFile } from '../../config/loadPlaybook';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { Role, Segment } from '../../workflows/types';
import { JOURNEY_KINDS, previewJourney, writePreview, type JourneyKind } from '../preview';
import { CliError, EXIT } from './errors';
import { stringOption, usageError, type Command } from './command';

function playbookFrom(file: string | undefined): { playbook: Playbook; source: string } {
  if (!file) return { playbook: DEFAULT_PLAYBOOK, source: `the default playbook (${DEFAULT_PLAYBOOK.version})` };
  const parsed = loadPlaybookFile(file);
  if (!parsed.ok) {
    throw new CliError(EXIT.validation, `${file} is not a valid playbook`, parsed.errors.map((e) => `${e.field}: ${e.message}`));
  }
  return { playbook: parsed.value, source: `${file} (${parsed.value.version})` };
}

function oneOf<T extends string>(values: readonly T[], flag: string, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw usageError(`--${flag} must be one of: ${values.join(', ')}`);
  return value as T;
}

export const preview: Command = {
  name: 'preview',
  summary: "Write every e-mail and Slack message of a partner's journey to files (runs locally, no server needed).",
  args: [],
  options: {
    segment: { type: 'string', value: 'segment', description: 'strategic | core | transactional (default: all three)' },
    journey: { type: 'string', value: 'kind', description: 'happy | stalled (default: both)' },
    playbook: { type: 'string', value: 'file', description: 'a playbook file (JSON or YAML); default PLAYBOOK_PATH, else the default playbook' },
    out: { type: 'string', value: 'dir', description: 'where to write (default ./preview)' },
    role: { type: 'string', value: 'role', description: "the partner's certification track (default: sales; strategic for strategic partners)" },
    timezone: { type: 'string', value: 'zone', description: "the partner's IANA time zone (default Europe/Berlin)" },
  },
  async run({ values }, { json, out }) {
    const segments = [oneOf(Segment.options, 'segment', stringOption(values, 'segment'))].filter(Boolean) as Segment[];
    const kinds = [oneOf(JOURNEY_KINDS, 'journey', stringOption(values, 'journey'))].filter(Boolean) as JourneyKind[];
    const role = oneOf(Role.options, 'role', stringOption(values, 'role'));
    const timezone = stringOption(values, 'timezone');
    if (timezone) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      } catch {
        throw usageError('--timezone must be an IANA time zone, e.g. Europe/Berlin');
      }
    }
    const { playbook, source } = playbookFrom(stringOption(values, 'playbook') ?? process.env.PLAYBOOK_PATH);
    const dir = path.resolve(stringOption(values, 'out') ?? 'preview');
    const started = Date.now();
    const previews = (segments.length ? segments : Segment.options).flatMap((segment) =>
      (kinds.length ? kinds : JOURNEY_KINDS).map((kind) => previewJourney(playbook, segment, kind, { role, timezone })),
    );
    const folders = writePreview(dir, previews);
    const summary = previews.map((p, i) => ({
      segment: p.journey.segment,
      journey: p.journey.kind,
      days: p.journey.days,
      messages: p.messages.length,
      emails: p.messages.filter((m) => m.email).length,
      slack: p.messages.filter((m) => m.slack).length,
      ends: `${p.final.phase}, ${p.final.health}`,
      index: path.join(folders[i]!, 'index.html'),
    }));
    if (json) return out(JSON.stringify({ playbook: source, out: dir, journeys: summary }, null, 2));
    out(`playbook: ${source}`);
    for (const s of summary) {
      out(`${s.segment} ${s.journey}: ${s.messages} messages (${s.emails} e-mails, ${s.slack} Slack) over ${s.days} days, ends ${s.ends} -> ${path.relative(process.cwd(), s.index)}`);
    }
    out(`written to ${path.relative(process.cwd(), path.join(dir, 'index.html')) || dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
};
