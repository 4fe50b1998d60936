/**
 * Real notification requests, as the domain emits them: every journey of the
 * default playbook (client/preview) plus the few situations no journey reaches
 * (no contacts, a digest manager, an unanswered first week, offboarding), and a
 * weekly digest built from a report over those partners. Activity and template
 * tests render these, never hand-made data.
 */
import { aggregate } from '../../client/reports';
import { toDigest, milestoneTitles } from '../../client/reports/digest';
import { AccountBook, JOURNEY_KINDS, previewJourney, Simulation } from '../../client/preview';
import type { ConflictRule } from '../../workflows/accounts/schema';
import { journeyProfile } from '../../client/preview/journey';
import { reportSummary } from '../../workflows/domain';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { NotificationKind, NotificationRequest } from '../../workflows/notifications';
import type { Playbook } from '../../workflows/playbook';
import type { PartnerProfile, Segment } from '../../workflows/types';

const DAY = 24 * 3_600_000;
const SEGMENTS: Segment[] = ['core', 'strategic', 'transactional'];

function run(
  playbook: Playbook,
  profile: PartnerProfile,
  script: (sim: Simulation, start: number) => void,
  options: { legacyDigest?: boolean } = {},
): Simulation {
  const start = Date.parse(profile.contractSignedAt!);
  const sim = new Simulation(profile, playbook, start, options);
  script(sim, start);
  return sim;
}

/** The situations no scripted journey reaches. */
function extras(playbook: Playbook): Simulation[] {
  const base = journeyProfile('core');
  let seq = 0;
  const ev = (type: string, data?: unknown) => ({ eventId: `extra-${++seq}`, type, ...(data === undefined ? {} : { data }) });
  return [
    // Nobody acts in the first week: access overdue, and the at-risk escalation later.
    run(playbook, { ...base, partnerId: 'quiet-co' }, (sim, start) => sim.until(start + 3 * DAY)),
    // No contacts yet: partner e-mails wait, the manager hears once.
    run(playbook, { ...base, partnerId: 'no-contacts', contacts: [] }, (sim, start) => sim.until(start + 2 * DAY)),
    // A digest manager, as runs started before the one digest across partners: pings buffered, one digest a day.
    run(playbook, { ...base, partnerId: 'digest-co', partnerManager: { ...base.partnerManager, digest: true } }, (sim, start) => sim.until(start + 14 * DAY), {
      legacyDigest: true,
    }),
    // A manager hands over; the partner graduates to a success manager, reaches a tier, then goes quiet.
    run(playbook, { ...base, partnerId: 'grown-co', successManager: { name: 'Sam Rivera', email: 'sam.rivera@vendor.example', slackUserId: 'U0SAM' } }, (sim, start) => {
      sim.until(start + 3 * DAY);
      sim.changeProfile({
        partnerManager: { name: 'Alex Chen', email: 'alex.chen@vendor.example', slackUserId: 'U0ALEX' },
        by: 'ops@vendor.example',
        reason: 'Dana moved to the enterprise team',
      });
      // Business 101 too: registrations are gated behind it.
      for (const m of playbook.segments.core.milestones.filter((x) => (x.requiredAtCheckpoint || x.id === 'business_101_training') && !x.forAdditionalRole)) {
        sim.apply(ev('milestone_waived', { milestoneId: m.id, reason: 'pilot partner', by: 'alex.chen@vendor.example' }));
      }
      sim.until(start + 10 * DAY);
      for (let n = 1; n <= 5; n++) {
        sim.apply(ev('opportunity_registered', { opportunityId: `big-${n}`, account: `Account ${n}`, amount: 30_000 }));
        sim.apply(ev('opportunity_acknowledged', { opportunityId: `big-${n}` }));
      }
      sim.apply(ev('deal_won', { opportunityId: 'big-1', amount: 120_000 }));
      sim.apply(ev('certification_completed', { track: 'sales', passed: true, score: 93 }));
      sim.until(start + 100 * DAY);
    }),
    // Offboarded by ops.
    run(playbook, { ...base, partnerId: 'gone-co' }, (sim, start) => {
      sim.until(start + 5 * DAY);
      sim.apply(ev('offboarded', { reason: 'contract terminated by the partner' }));
    }),
    ...conflicts(playbook, 'first_registration_wins'),
    ...conflicts({ ...playbook, accountConflicts: { rule: 'manager_decides' } }, 'manager_decides'),
  ];
}

/**
 * Two partners register initech.example within the same second: the first holds
 * it; by the playbook's rule the second is refused, or a manager decides for it.
 */
function conflicts(playbook: Playbook, rule: ConflictRule): Simulation[] {
  const book = new AccountBook();
  const start = Date.parse(journeyProfile('core').contractSignedAt!);
  const partner = (partnerId: string, name: string, manager: PartnerProfile['partnerManager']) =>
    new Simulation({ ...journeyProfile('core', { partnerId }), name, experienced: true, partnerManager: manager }, playbook, start, { accounts: book });
  const suffix = rule === 'first_registration_wins' ? 'first' : 'decided';
  const contoso = partner(`contoso-${suffix}`, 'Contoso Partners', { name: 'Sam Okoro', email: 'sam.okoro@vendor.example', slackUserId: 'U0SAM' });
  const northwind = partner(`northwind-${suffix}`, 'Northwind Systems', { name: 'Dana Ruiz', email: 'dana.ruiz@vendor.example', slackUserId: 'U0DANA' });
  const register = (sim: Simulation, opportunityId: string, amount: number) =>
    sim.until(start + 10 * DAY).apply({ eventId: `reg-${opportunityId}`, type: 'opportunity_registered', data: { opportunityId, account: 'Initech, Inc.', domain: 'initech.example', amount } });
  register(contoso, 'ct-7', 60_000);
  register(northwind, 'nw-3', 40_000);
  if (rule === 'manager_decides') {
    const conflictId = northwind.view().conflicts[0]!.conflictId;
    for (const sim of [contoso, northwind]) sim.until(start + 11 * DAY);
    book.decide({ conflictId, winner: northwind.state.profile.partnerId, by: 'Pat Lin, partner sales director', note: 'Northwind brought the customer in' }, start + 11 * DAY);
  }
  return [contoso, northwind];
}

export interface DomainOutput {
  requests: NotificationRequest[];
  /** The partners' final states, for reports. */
  sims: Simulation[];
}

const cache = new Map<Playbook, DomainOutput>();

/** Every request the domain sends over the journeys and the extra situations, in order per partner. */
export function domainOutput(playbook: Playbook = DEFAULT_PLAYBOOK): DomainOutput {
  const hit = cache.get(playbook);
  if (hit) return hit;
  const requests: NotificationRequest[] = [];
  for (const segment of SEGMENTS) {
    for (const kind of JOURNEY_KINDS) requests.push(...previewJourney(playbook, segment, kind).messages.map((m) => m.request));
  }
  const sims = extras(playbook);
  for (const sim of sims) requests.push(...sim.sent.map((s) => s.request));
  const output = { requests, sims };
  cache.set(playbook, output);
  return output;
}

/** The weekly digest the program's report over the extra partners gives, as the digest workflow sends it. */
export function weeklyDigestRequest(playbook: Playbook = DEFAULT_PLAYBOOK): Extract<NotificationRequest, { kind: 'weekly_digest' }> {
  const { sims } = domainOutput(playbook);
  const now = Math.max(...sims.map((s) => s.now));
  const rows = sims.map((s) => ({ partnerId: s.state.profile.partnerId, name: s.state.profile.name, summary: reportSummary(s.state, now) }));
  const report = aggregate(rows, {}, now, { unprojected: 0, pages: 1, memoBytes: 0 }, { titleOf: milestoneTitles(playbook) });
  const asOf = new Date(now).toISOString();
  return {
    key: `weekly_digest:${asOf}:slack`,
    kind: 'weekly_digest',
    data: toDigest(report, asOf),
    channel: 'slack',
    to: { escalation: true, label: 'program' },
  };
}

export type RequestOf<K extends NotificationKind, C extends NotificationRequest['channel']> = Extract<NotificationRequest, { kind: K; channel: C }>;

/** The first request of `kind` the domain sends on `channel`. */
export function domainRequest<K extends NotificationKind, C extends NotificationRequest['channel']>(
  kind: K,
  channel: C,
  playbook: Playbook = DEFAULT_PLAYBOOK,
): RequestOf<K, C> {
  if (kind === 'weekly_digest') {
    const digest = weeklyDigestRequest(playbook);
    const request = channel === 'slack' ? digest : { ...digest, channel: 'email', to: [{ email: 'program-lead@vendor.example' }] };
    return request as RequestOf<K, C>;
  }
  const found = domainOutput(playbook).requests.find((r) => r.kind === kind && r.channel === channel);
  if (!found) throw new Error(`the domain sent no ${kind} by ${channel} in any scripted journey`);
  return found as RequestOf<K, C>;
}
