/** Playbook versions and migration: `playbooks`, `publish`, `migrate`. */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { MigrationDiff } from '../../workflows/migration';
import type { MigrationPage, MigrationResult, PlaybookDetail, PlaybookList, PublishResult } from '../apiTypes';
import { planDigest } from '../migrationDigest';
import { CliError, EXIT, stringOption, usageError, type Command } from './command';
import { day, table, when } from './format';

const SEGMENTS = ['strategic', 'core', 'transactional'];
const versionPath = (version: string, rest = '') => `/v1/playbooks/${encodeURIComponent(version)}${rest}`;

function readPlaybookFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw usageError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(err as Error).message})`);
  }
}

export const playbooks: Command = {
  name: 'playbooks',
  summary: 'The published playbook versions (or one version\'s content with --show, as JSON to edit and publish).',
  args: [],
  options: {
    show: { type: 'string', value: 'version', description: "print this version's playbook as JSON" },
  },
  async run({ values }, { api, json, out }) {
    const show = stringOption(values, 'show');
    if (show !== undefined) {
      const detail = await api.request<PlaybookDetail>('GET', versionPath(show));
      return out(JSON.stringify(json ? detail : detail.playbook, null, 2));
    }
    const { versions } = await api.request<PlaybookList>('GET', '/v1/playbooks');
    if (json) return out(JSON.stringify({ versions }, null, 2));
    out(
      table(
        ['version', 'sha256', 'published', 'by', 'current', ...SEGMENTS.map((s) => `${s} days/milestones`)],
        versions.map((v) => [
          v.version,
          v.hash.slice(0, 12),
          when(v.publishedAt),
          v.publishedBy,
          v.current,
          ...SEGMENTS.map((s) => {
            const plan = v.segments[s as keyof typeof v.segments];
            return plan ? `${plan.days}/${plan.milestones}` : null;
          }),
        ]),
      ),
    );
  },
};

export const publish: Command = {
  name: 'publish',
  summary: 'Publish a playbook version from a file (JSON or YAML); its `version` is the id. Running partners stay on theirs until migrated.',
  args: [],
  options: { file: { type: 'string', value: 'playbook.json|yaml', description: 'the playbook to publish' } },
  async run({ values }, { api, json, out }) {
    const file = stringOption(values, 'file');
    if (!file) throw usageError('give --file <playbook.json|.yaml>');
    const result = await api.request<PublishResult>('POST', '/v1/playbooks', readPlaybookFile(file));
    if (json) return out(JSON.stringify(result, null, 2));
    out(`${result.created ? 'published' : 'already published (same content)'}: playbook ${result.version} (sha256 ${result.hash.slice(0, 12)})`);
    out(`next: onboarding migrate --to ${result.version} --dry-run`);
  },
};

const moment = (m: { at: string; day: number }) => `day ${m.day} (${day(m.at)})`;

const RULE_NOTES: Record<string, string> = {
  next_day: ' - the next day of the plan: the new date had passed',
  kept_overdue: ' - overdue already: it keeps its due date',
  checkpoint_kept: ' - the checkpoint awaits a decision: its deadline stays',
  waived_phase_passed: '',
  already_done: '',
  as_planned: '',
};

/** What would change (or changed) for one partner, one line per change. */
export function renderDiff(d: MigrationDiff): string[] {
  const lines: string[] = [];
  if (d.phase.from !== d.phase.to) lines.push(`phase ${d.phase.from} -> ${d.phase.to}`);
  if (d.health.from !== d.health.to) lines.push(`health ${d.health.from} -> ${d.health.to}`);
  const m = d.milestones;
  for (const a of m.added) {
    const what =
      a.rule === 'waived_phase_passed'
        ? `waived: the ${a.phase} phase is behind the partner`
        : a.rule === 'already_done'
          ? `${a.status} already`
          : `due ${moment(a.due)}${RULE_NOTES[a.rule]}`;
    lines.push(`+ added    ${a.id} (${a.phase}${a.required ? ', required' : ''}): ${what}`);
  }
  for (const r of m.removed) lines.push(`- removed  ${r.id} (${r.phase}, ${r.status === 'done' || r.status === 'waived' ? `${r.status}: kept in the record` : `was ${r.status}`})`);
  for (const v of m.moved) {
    lines.push(
      v.rule === 'waived_phase_passed'
        ? `~ moved    ${v.id} into ${v.phase}, a phase behind the partner: waived`
        : `~ moved    ${v.id}: ${moment(v.from)} -> ${moment(v.to)}${RULE_NOTES[v.rule]}`,
    );
  }
  for (const c of m.changed) {
    const parts = [
      c.required && (c.required.to ? 'now required' : 'no longer required'),
      c.phase && `phase ${c.phase.from} -> ${c.phase.to}`,
      c.title && `title "${c.title.to}"`,
    ].filter(Boolean);
    lines.push(`~ changed  ${c.id}: ${parts.join(', ')}`);
  }
  if (m.kept.length) lines.push(`= kept     ${m.kept.length} done or waived: ${m.kept.join(', ')}`);
  for (const dl of d.deadlines) lines.push(`  deadline ${dl.phase}: ${moment(dl.from)} -> ${moment(dl.to)}${RULE_NOTES[dl.rule]}`);
  if (d.checkpoint) {
    const what = {
      withdrawn: 'withdrawn: the new deadline is later, a checkpoint opens then',
      waiting: `still awaits a decision (gaps: ${d.checkpoint.gaps.join(', ') || 'none'})`,
      passed: 'passes: the new version leaves no gap',
    }[d.checkpoint.after];
    lines.push(`  checkpoint ${d.checkpoint.phase}: ${what}`);
  }
  if (d.reviews) lines.push(`  next business review: ${day(d.reviews.from) ?? 'none'} -> ${day(d.reviews.to) ?? 'none'}`);
  if (d.notificationsSkipped.length) lines.push(`  not sent (their moment had passed): ${d.notificationsSkipped.join(', ')}`);
  return lines.length ? lines : ['  no change to the plan'];
}

function renderResult(r: MigrationResult): string[] {
  const head = `${r.partnerId}  ${r.outcome.replace('_', ' ')}${r.digest ? `  [${r.digest}]` : ''}${r.reason ? `: ${r.reason}` : ''}`;
  if (!r.diff) return [head];
  return [`${head}  ${r.diff.from.version} -> ${r.diff.to.version} (${r.diff.segment}, ${r.diff.phase.from})`, ...renderDiff(r.diff).map((l) => `    ${l}`)];
}

const OUTCOMES = ['would_migrate', 'migrated', 'unchanged', 'skipped', 'refused', 'failed'] as const;

export const migrate: Command = {
  name: 'migrate',
  summary: 'Move running partners to a published playbook version; --dry-run shows per partner what would change.',
  args: [],
  options: {
    to: { type: 'string', value: 'version', description: 'the published version to move to' },
    segment: { type: 'string', value: 'segment', description: 'only partners of this segment (strategic | core | transactional)' },
    from: { type: 'string', value: 'version', description: 'only partners on this version' },
    'dry-run': { type: 'boolean', description: 'show what would change; one query per partner, nothing written' },
    by: { type: 'string', value: 'name', description: "who migrates (recorded in each partner's state)" },
    'page-size': { type: 'string', value: 'n', description: 'partners per request, 1-100 (default 50)' },
  },
  async run({ values }, { api, json, out }) {
    const to = stringOption(values, 'to');
    if (!to) throw usageError('give --to <version> (onboarding playbooks lists them)');
    const segment = stringOption(values, 'segment');
    if (segment !== undefined && !SEGMENTS.includes(segment)) throw usageError(`--segment must be one of ${SEGMENTS.join(', ')}`);
    const pageSize = stringOption(values, 'page-size');
    if (pageSize !== undefined && !/^\d+$/.test(pageSize)) throw usageError('--page-size must be a whole number');
    const dryRun = values['dry-run'] === true;
    const body = {
      dryRun,
      ...(segment ? { segment } : {}),
      ...(stringOption(values, 'from') ? { fromVersion: stringOption(values, 'from') } : {}),
      ...(stringOption(values, 'by') ? { by: stringOption(values, 'by') } : {}),
      ...(pageSize ? { pageSize: Number(pageSize) } : {}),
    };

    const results: MigrationResult[] = [];
    const actions = { queries: 0, updates: 0 };
    let first: MigrationPage | undefined;
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page: MigrationPage = await api.request<MigrationPage>('POST', versionPath(to, '/migrations'), { ...body, ...(pageToken ? { pageToken } : {}) });
      first ??= page;
      pages += 1;
      results.push(...page.partners);
      actions.queries += page.temporalActions.queries;
      actions.updates += page.temporalActions.updates;
      if (!json) for (const r of page.partners) for (const line of renderResult(r)) out(line);
      process.stderr.write(`page ${pages}: ${page.partners.length} partners (${results.length} so far)\n`);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);

    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<(typeof OUTCOMES)[number], number>;
    const digest = planDigest(results);
    if (json) {
      out(JSON.stringify({ version: first!.version, hash: first!.hash, dryRun, partners: results, counts, temporalActions: actions, planDigest: digest }, null, 2));
    } else {
      const summary = OUTCOMES.filter((o) => counts[o] > 0 || o === (dryRun ? 'would_migrate' : 'migrated'))
        .map((o) => `${counts[o]} ${o.replace('_', ' ')}`)
        .join(', ');
      out('');
      out(`${dryRun ? 'dry run of' : 'migrated to'} playbook ${first!.version} (sha256 ${first!.hash.slice(0, 12)}): ${results.length} running partners: ${summary}`);
      out(
        dryRun
          ? `Temporal: ${actions.queries} queries (billed actions), no history written`
          : `Temporal: ${actions.updates} Updates (billed actions), each migrated partner also upserts its memo once`,
      );
      out(`plan digest ${digest}${dryRun ? ': the migration prints the same digest when it applies exactly this' : ': the same as its dry run when nothing changed in between'}`);
    }
    if (counts.failed > 0) {
      throw new CliError(EXIT.server, `${counts.failed} partner(s) failed (Temporal did not answer); run the same command again: it is idempotent`);
    }
  },
};
