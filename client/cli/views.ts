/** The commands that read: status, list, timeline, report (rendered by ./reportView). */
import type { OnboardingState } from '../../workflows/types';
import type { OnboardingReport, PartnerPage, Timeline, TimelineEntry } from '../apiTypes';
import { stringOption, usageError, type Command, type OptionValues } from './command';
import { csv, day, fields, table, when } from './format';
import { INDICATOR_COLUMNS, indicatorRows, renderReport } from './reportView';

const partnerPath = (partnerId: string, rest = '') => `/v1/partners/${encodeURIComponent(partnerId)}${rest}`;

function queryString(values: OptionValues, names: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [flag, param] of Object.entries(names)) {
    const value = stringOption(values, flag);
    if (value !== undefined) params.set(param, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function renderState(s: OnboardingState): string {
  const deadline = s.phaseDeadline ? `, deadline ${day(s.phaseDeadline)}` : '';
  const sections = [
    fields([
      ['partner', `${s.partnerId}  ${s.name}`],
      ['segment / role', `${s.segment} / ${s.role}`],
      ['phase', `${s.phase} (day ${s.day}${deadline}${s.extensions ? `, ${s.extensions} extension(s)` : ''})`],
      ['health', s.health],
      ['awaiting decision', s.awaitingDecision],
      ['manager', s.partnerManager.name],
      ['playbook', `${s.playbookVersion}${s.playbookHash ? ` (sha256 ${s.playbookHash.slice(0, 12)})` : ''}${s.playbookMigrations.length ? `, migrated ${s.playbookMigrations.length}x` : ''}`],
    ]),
    table(
      ['milestone', 'phase', 'required', 'status', 'due', 'completed'],
      s.milestones.map((m) => [m.id, m.phase, m.required, m.status, day(m.dueAt), day(m.completedAt)]),
    ),
  ];
  if (s.opportunities.length) {
    sections.push(
      table(
        ['opportunity', 'status', 'registered', 'acknowledged', 'sla breached'],
        s.opportunities.map((o) => [o.opportunityId, o.status, when(o.registeredAt), when(o.acknowledgedAt), o.slaBreached]),
      ),
    );
  }
  if (s.rejectedEvents.length) {
    sections.push(table(['rejected event', 'type', 'at', 'reason'], s.rejectedEvents.map((r) => [r.eventId, r.type, when(r.at), r.reason])));
  }
  return sections.join('\n\n');
}

export const status: Command = {
  name: 'status',
  summary: "A partner's onboarding state: phase, health, milestones, opportunities, rejected events.",
  args: ['<partnerId>'],
  options: {},
  async run({ positionals: [partnerId] }, { api, json, out }) {
    const state = await api.request<OnboardingState>('GET', partnerPath(partnerId));
    out(json ? JSON.stringify(state, null, 2) : renderState(state));
  },
};

export const list: Command = {
  name: 'list',
  summary: 'Partner summaries from Temporal visibility, filtered and paged.',
  args: [],
  options: {
    phase: { type: 'string', value: 'phase', description: 'foundation | activation | momentum | graduated | offboarded' },
    segment: { type: 'string', value: 'segment', description: 'strategic | core | transactional' },
    manager: { type: 'string', value: 'email', description: "the partner manager's e-mail" },
    health: { type: 'string', value: 'health', description: 'on_track | behind | at_risk' },
    search: { type: 'string', value: 'prefix', description: 'partners whose id starts with this' },
    'page-size': { type: 'string', value: 'n', description: '1-100, default 50' },
    'page-token': { type: 'string', value: 'token', description: 'from the previous page' },
  },
  async run({ values }, { api, json, out }) {
    const query = queryString(values, {
      phase: 'phase',
      segment: 'segment',
      manager: 'manager',
      health: 'health',
      search: 'q',
      'page-size': 'pageSize',
      'page-token': 'pageToken',
    });
    const page = await api.request<PartnerPage>('GET', `/v1/partners${query}`);
    if (json) return out(JSON.stringify(page, null, 2));
    out(
      table(
        ['partner', 'name', 'segment', 'phase', 'health', 'manager', 'started'],
        page.partners.map((p) => [p.partnerId, p.name, p.segment, p.phase, p.health, p.manager, when(p.startedAt)]),
      ),
    );
    if (page.nextPageToken) out(`\nmore: onboarding list --page-token ${page.nextPageToken}`);
  },
};

const outcome = (e: { outcome: string; reason?: string }) => `${e.outcome}${e.reason ? `: ${e.reason}` : ''}`;

function describeEntry(e: TimelineEntry): string {
  switch (e.kind) {
    case 'started':
      return 'onboarding started';
    case 'event':
      return `${e.type ?? '?'} ${e.eventId ?? '(no id)'} ${outcome(e)}`;
    case 'decision': {
      const { decision, days, by } = e.decision;
      return `${decision}${days ? ` +${days}d` : ''}${by ? ` by ${by}` : ''} ${outcome(e)}`;
    }
    case 'notification':
      return `${e.notificationKind} by ${e.channel} to ${e.to.join(', ')}: ${e.status}${e.error ? ` (${e.error})` : ''}`;
    case 'status_changed':
      return [e.phase && `phase ${e.phase}`, e.health && `health ${e.health}`].filter(Boolean).join(', ');
    case 'profile_changed':
      return `profile: ${e.fields.join(', ')} changed by ${e.by}${e.reason ? ` (${e.reason})` : ''}`;
    case 'account_conflict':
      return `conflict ${e.conflictId} ${e.stage} (${e.role}, ${e.opportunityIds.join(', ')} vs ${e.other}): ${e.outcome.replace('_', ' ')}${e.decidedBy ? ` by ${e.decidedBy}` : ''}`;
    case 'playbook_migrated': {
      const changes = [
        e.milestonesAdded?.length && `added ${e.milestonesAdded.join(', ')}`,
        e.milestonesRemoved?.length && `removed ${e.milestonesRemoved.join(', ')}`,
      ].filter(Boolean);
      return `playbook ${e.from ? `${e.from.version} -> ` : ''}${e.to.version}${e.by ? ` by ${e.by}` : ''}${changes.length ? ` (${changes.join('; ')})` : ''}`;
    }
    case 'continued_as_new':
      return `continued as new run ${e.newRunId}`;
    case 'closed':
      return `workflow ${e.status}`;
  }
}

export const timeline: Command = {
  name: 'timeline',
  summary: 'The audit trail: every event, decision, rejection and notification, in order.',
  args: ['<partnerId>'],
  options: {},
  async run({ positionals: [partnerId] }, { api, json, out }) {
    const result = await api.request<Timeline>('GET', partnerPath(partnerId, '/timeline'));
    out(json ? JSON.stringify(result, null, 2) : table(['at', 'kind', 'what'], result.entries.map((e) => [when(e.at), e.kind, describeEntry(e)])));
  },
};

export const report: Command = {
  name: 'report',
  summary: "The program's indicators (leading, lagging, quality) and where partners stall.",
  args: [],
  options: {
    segment: { type: 'string', value: 'segment', description: 'only this segment' },
    manager: { type: 'string', value: 'email', description: "only this manager's partners" },
    'start-month': { type: 'string', value: 'YYYY-MM', description: 'only partners whose contract was signed in this month' },
    csv: { type: 'boolean', description: 'print the indicators as CSV' },
  },
  async run({ values }, { api, json, out }) {
    if (json && values.csv) throw usageError('give --json or --csv, not both');
    const query = queryString(values, { segment: 'segment', manager: 'manager', 'start-month': 'startMonth' });
    const result = await api.request<OnboardingReport>('GET', `/v1/reports/onboarding${query}`);
    if (json) return out(JSON.stringify(result, null, 2));
    out(values.csv ? csv(INDICATOR_COLUMNS, indicatorRows(result)) : renderReport(result));
  },
};
