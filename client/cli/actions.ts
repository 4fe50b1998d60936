/** The commands that change something: start, event, decide, waive, update. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { OnboardingState } from '../../workflows/types';
import type { EventsAccepted, StartResult } from '../apiTypes';
import { parseJson, stringOption, usageError, type Command, type OptionValues } from './command';

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseJson(text, file);
}

const path = (partnerId: string, rest = '') => `/v1/partners/${encodeURIComponent(partnerId)}${rest}`;

/** Profile fields that can be given as flags (and override the file). */
const PROFILE_FLAGS: Record<string, readonly [string, string?]> = {
  'partner-id': ['partnerId'],
  name: ['name'],
  segment: ['segment'],
  role: ['role'],
  'contract-signed-at': ['contractSignedAt'],
  timezone: ['timezone'],
  'manager-name': ['partnerManager', 'name'],
  'manager-email': ['partnerManager', 'email'],
  'manager-slack': ['partnerManager', 'slackUserId'],
};

function profileFrom(values: OptionValues): Record<string, unknown> {
  const file = stringOption(values, 'file');
  const fromFile = file ? readJsonFile(file) : {};
  if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile)) throw usageError(`${file} must hold one JSON object`);
  const profile = { ...(fromFile as Record<string, unknown>) };
  for (const [flag, [key, nested]] of Object.entries(PROFILE_FLAGS)) {
    const value = stringOption(values, flag);
    if (value === undefined) continue;
    if (nested) profile[key] = { ...(profile[key] as object), [nested]: value };
    else profile[key] = value;
  }
  if (values.experienced) profile.experienced = true;
  if (!file && !profile.partnerId) throw usageError('give --file <profile.json> or at least --partner-id and the other profile flags');
  return profile;
}

export const start: Command = {
  name: 'start',
  summary: 'Start onboarding a partner from a PartnerProfile file and/or flags (flags override the file).',
  args: [],
  options: {
    file: { type: 'string', value: 'profile.json', description: 'a PartnerProfile as JSON' },
    'partner-id': { type: 'string', value: 'id', description: 'partnerId, [A-Za-z0-9._-]{1,64}' },
    name: { type: 'string', value: 'name', description: "the partner's name" },
    segment: { type: 'string', value: 'segment', description: 'strategic | core | transactional' },
    role: { type: 'string', value: 'role', description: 'sales | technical | strategic (certification track)' },
    'contract-signed-at': { type: 'string', value: 'iso', description: 'ISO-8601 date-time; defaults to now' },
    timezone: { type: 'string', value: 'tz', description: 'IANA time zone for partner-facing nudges' },
    experienced: { type: 'boolean', description: 'training fast track' },
    'manager-name': { type: 'string', value: 'name', description: "partner manager's name" },
    'manager-email': { type: 'string', value: 'email', description: "partner manager's e-mail" },
    'manager-slack': { type: 'string', value: 'id', description: "partner manager's Slack user id" },
  },
  async run({ values }, { api, json, out }) {
    const result = await api.request<StartResult>('POST', '/v1/partners', profileFrom(values));
    if (json) return out(JSON.stringify(result, null, 2));
    out(`${result.created ? 'started' : 'already onboarding (same profile)'}: ${result.partnerId} (workflow ${result.workflowId})`);
  },
};

function eventFrom(values: OptionValues): unknown {
  const file = stringOption(values, 'file');
  if (file) return readJsonFile(file);
  const type = stringOption(values, 'type');
  if (!type) throw usageError('give --type <eventType> (with --data) or --file <events.json>');
  const data = stringOption(values, 'data');
  const occurredAt = stringOption(values, 'occurred-at');
  return {
    // A generated id makes each invocation a new event; pass --event-id to make retries idempotent.
    eventId: stringOption(values, 'event-id') ?? `cli-${randomUUID()}`,
    type,
    ...(occurredAt ? { occurredAt } : {}),
    ...(data === undefined ? {} : { data: parseJson(data, '--data') }),
  };
}

function printAccepted(result: EventsAccepted, json: boolean, out: (line: string) => void): void {
  if (json) return out(JSON.stringify(result, null, 2));
  out(`accepted ${result.accepted} event${result.accepted === 1 ? '' : 's'} for ${result.partnerId}: ${result.eventIds.join(', ')}`);
}

export const event: Command = {
  name: 'event',
  summary: 'Send a partner event (or a file with one event or an array of up to 100).',
  args: ['<partnerId>'],
  options: {
    type: { type: 'string', value: 'type', description: 'event type, e.g. portal_access_granted' },
    data: { type: 'string', value: 'json', description: 'the event data as JSON, e.g. \'{"module":"product"}\'' },
    'event-id': { type: 'string', value: 'id', description: 'idempotency key; generated when absent' },
    'occurred-at': { type: 'string', value: 'iso', description: 'when it happened; defaults to receipt time' },
    file: { type: 'string', value: 'events.json', description: 'a PartnerEvent or an array of them, as JSON' },
  },
  async run({ values, positionals: [partnerId] }, { api, json, out }) {
    printAccepted(await api.request<EventsAccepted>('POST', path(partnerId, '/events'), eventFrom(values)), json, out);
  },
};

const DECISIONS = ['advance', 'extend', 'offboard'];
const PHASES = ['foundation', 'activation', 'momentum'];

/** One line on what a decision or waiver left: the phase and its deadline. */
function outcomeLine(state: OnboardingState, what: string): string {
  if (state.phase === 'offboarded') return `${what}: ${state.partnerId} is offboarded`;
  if (state.phase === 'graduated') return `${what}: ${state.partnerId} has graduated`;
  const deadline = state.phaseDeadline ? `, deadline ${state.phaseDeadline.slice(0, 16).replace('T', ' ')} UTC` : '';
  const extensions = state.extensions ? ` (${state.extensions} extension${state.extensions === 1 ? '' : 's'})` : '';
  const waiting = state.awaitingDecision ? '; a checkpoint still awaits a decision' : '';
  return `${what}: ${state.partnerId} is in ${state.phase}${deadline}${extensions}${waiting}`;
}

export const decide: Command = {
  name: 'decide',
  summary: 'Decide a checkpoint that awaits a decision: advance, extend (--days) or offboard; prints the new phase and deadline.',
  args: ['<partnerId>'],
  options: {
    decision: { type: 'string', value: DECISIONS.join('|'), description: 'the decision' },
    days: { type: 'string', value: 'n', description: 'extension in days (extend; default 14)' },
    phase: { type: 'string', value: PHASES.join('|'), description: 'the checkpoint decided (refused if another one awaits)' },
    by: { type: 'string', value: 'name', description: 'who decided' },
    note: { type: 'string', value: 'text', description: 'why' },
    'event-id': { type: 'string', value: 'id', description: 'idempotency key: a retry with it answers with the first outcome' },
  },
  async run({ values, positionals: [partnerId] }, { api, json, out }) {
    const decision = stringOption(values, 'decision');
    if (!decision || !DECISIONS.includes(decision)) throw usageError(`--decision must be one of ${DECISIONS.join(', ')}`);
    const days = stringOption(values, 'days');
    if (days !== undefined && !/^\d+$/.test(days)) throw usageError('--days must be a whole number of days');
    const phase = stringOption(values, 'phase');
    if (phase !== undefined && !PHASES.includes(phase)) throw usageError(`--phase must be one of ${PHASES.join(', ')}`);
    const body = {
      decision,
      days: days === undefined ? undefined : Number(days),
      phase,
      by: stringOption(values, 'by'),
      note: stringOption(values, 'note'),
      eventId: stringOption(values, 'event-id'),
    };
    const state = await api.request<OnboardingState>('POST', path(partnerId, '/decisions'), body);
    out(json ? JSON.stringify(state, null, 2) : outcomeLine(state, decision === 'extend' ? 'extended' : decision === 'advance' ? 'advanced' : 'offboarded'));
  },
};

export const waive: Command = {
  name: 'waive',
  summary: "Waive one of a partner's milestones, with a reason; prints the new phase and deadline.",
  args: ['<partnerId>', '<milestoneId>'],
  options: {
    reason: { type: 'string', value: 'text', description: 'why it is waived (required)' },
    by: { type: 'string', value: 'name', description: 'who waived it' },
    'event-id': { type: 'string', value: 'id', description: 'idempotency key: a retry with it answers with the first outcome' },
  },
  async run({ values, positionals: [partnerId, milestoneId] }, { api, json, out }) {
    const reason = stringOption(values, 'reason');
    if (!reason) throw usageError('give --reason <text>');
    const body = { milestoneId, reason, by: stringOption(values, 'by'), eventId: stringOption(values, 'event-id') };
    const state = await api.request<OnboardingState>('POST', path(partnerId, '/waivers'), body);
    out(json ? JSON.stringify(state, null, 2) : outcomeLine(state, `waived ${milestoneId}`));
  },
};

const ROLES = ['sales', 'technical', 'strategic'];

/** The ProfileChange the flags describe (the API validates it again and names each bad field). */
function profileChange(values: OptionValues): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  const file = stringOption(values, 'file');
  if (file) {
    const fromFile = readJsonFile(file);
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile)) throw usageError(`${file} must hold one JSON object`);
    Object.assign(change, fromFile);
  }
  const manager = (prefix: string, key: string) => {
    const name = stringOption(values, `${prefix}-name`);
    const email = stringOption(values, `${prefix}-email`);
    const slack = stringOption(values, `${prefix}-slack`);
    if (name === undefined && email === undefined && slack === undefined) return;
    if (!name || !email) throw usageError(`--${prefix}-name and --${prefix}-email go together`);
    change[key] = { name, email, ...(slack ? { slackUserId: slack } : {}) };
  };
  manager('manager', 'partnerManager');
  manager('success-manager', 'successManager');
  if (values['no-success-manager']) change.successManager = null;
  const roles = stringOption(values, 'roles');
  if (roles !== undefined) {
    const list = roles.split(',').map((r) => r.trim()).filter(Boolean);
    const unknown = list.filter((r) => !ROLES.includes(r));
    if (!list.length || unknown.length) throw usageError(`--roles takes a comma-separated list of ${ROLES.join(', ')}`);
    change.roles = list;
  }
  const contacts = stringOption(values, 'contacts');
  if (contacts !== undefined) change.contacts = readJsonFile(contacts);
  for (const key of ['timezone', 'segment', 'by', 'reason'] as const) {
    const value = stringOption(values, key);
    if (value !== undefined) change[key] = value;
  }
  return change;
}

export const update: Command = {
  name: 'update',
  summary: "Change a running partner's profile: manager (with handover), success manager, contacts, roles, time zone, segment.",
  args: ['<partnerId>'],
  options: {
    'manager-name': { type: 'string', value: 'name', description: 'the new partner manager' },
    'manager-email': { type: 'string', value: 'email', description: "the new partner manager's e-mail" },
    'manager-slack': { type: 'string', value: 'id', description: "the new partner manager's Slack user id" },
    'success-manager-name': { type: 'string', value: 'name', description: 'who takes the partner over at graduation' },
    'success-manager-email': { type: 'string', value: 'email', description: "the success manager's e-mail" },
    'success-manager-slack': { type: 'string', value: 'id', description: "the success manager's Slack user id" },
    'no-success-manager': { type: 'boolean', description: 'remove the success manager' },
    roles: { type: 'string', value: 'list', description: 'sales,technical,strategic: the primary role first' },
    contacts: { type: 'string', value: 'file', description: 'a JSON file with the contacts [{role,name,email}]' },
    timezone: { type: 'string', value: 'zone', description: 'IANA time zone of the partner' },
    segment: { type: 'string', value: 'segment', description: 'strategic | core | transactional' },
    by: { type: 'string', value: 'name', description: 'who makes the change (required; shown in the timeline)' },
    reason: { type: 'string', value: 'text', description: 'why' },
    file: { type: 'string', value: 'file', description: 'a JSON file with the change (flags override it)' },
  },
  async run({ values, positionals: [partnerId] }, { api, json, out }) {
    const change = profileChange(values);
    if (!change.by) throw usageError('--by is required: who makes the change');
    const state = await api.request<OnboardingState>('PATCH', path(partnerId), change);
    if (json) return out(JSON.stringify(state, null, 2));
    const last = state.profileChanges.at(-1);
    out(`${state.partnerId}: ${last ? `changed ${last.fields.join(', ')} (by ${last.by})` : 'nothing changed'}`);
    out(`manager ${state.partnerManager.name} <${state.partnerManager.email}>${state.successManager ? `, success manager ${state.successManager.name}` : ''}`);
    out(`${state.segment}, roles ${state.roles.join(' + ')}, phase ${state.phase}${state.phaseDeadline ? ` until ${state.phaseDeadline.slice(0, 10)}` : ''}, health ${state.health}`);
  },
};
