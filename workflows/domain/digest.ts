/**
 * A digest manager's view of one partner (../managerDigestEntry.ts): the checkpoint
 * awaiting a decision, the opportunities waiting for an answer, the overdue
 * milestones, and the manager's recent pings the daily digest replaces.
 */
import type { ManagerDigestEntry } from '../digestEntry';
import { isEssentialItem } from './deferrals';
import { respondedAtMs } from './health';
import { DAY, HOUR, iso, pendingCheckpoint, type DomainState } from './state';
import { toView } from './view';

export const DIGEST_ENTRY_VERSION = 1;
/** Manager pings of this many days back are news in the digest. */
export const DIGEST_NEWS_DAYS = 2;
/** At most this many overdue milestones and news items per partner (the memo stays small). */
export const DIGEST_LIST_CAP = 8;

/** Manager pings whose subject the digest shows from the state instead (so they are not news). */
export const DIGEST_COVERED_KINDS: readonly string[] = ['access_overdue', 'training_stalled_manager', 'opportunity_sla_manager', 'checkpoint_summary'];

/**
 * New runs (the workflow behind `patched`, the preview) feed a digest manager's
 * one digest across partners instead of flushing a digest of their own; set for
 * every new run, so that a manager who turns the digest on later is served too.
 */
export function withCrossPartnerDigest(s: DomainState): DomainState {
  return { ...s, digest: { ...s.digest, crossPartner: true } };
}

/** Partners of a manager with `digest: true` in cross-partner mode publish an entry; others none. */
export function managerDigestEntry(s: DomainState, nowMs: number): ManagerDigestEntry | null {
  if (!s.digest.crossPartner || s.profile.partnerManager.digest !== true) return null;
  const view = toView(s, nowMs);
  const pending = pendingCheckpoint(s);
  const sla = s.playbook.opportunitySla;
  // After graduation an optional milestone left open is no longer news for the manager.
  const overdue = view.milestones
    .filter((m) => m.status === 'overdue' && view.phase !== 'graduated')
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const manager = s.profile.partnerManager;
  return {
    v: DIGEST_ENTRY_VERSION,
    partnerId: s.profile.partnerId,
    name: s.profile.name,
    manager: {
      email: manager.email,
      name: manager.name,
      ...(manager.slackUserId ? { slackUserId: manager.slackUserId } : {}),
      timezone: manager.timezone ?? 'UTC',
    },
    phase: view.phase,
    health: view.health,
    ...(pending && s.offboardedAtMs === null
      ? {
          awaiting: {
            phase: pending.phase,
            dueAt: iso(pending.dueAtMs),
            decideBy: iso(pending.dueAtMs + s.playbook.checkpointPolicy.decisionWindowDays * DAY),
          },
        }
      : {}),
    slas: s.opportunities
      .filter((o) => o.registeredAtMs !== null && respondedAtMs(o) === null && s.offboardedAtMs === null)
      .map((o) => ({
        opportunityId: o.opportunityId,
        ...(o.account ? { account: o.account } : {}),
        dueAt: iso(o.registeredAtMs! + sla.responseHours * HOUR),
      })),
    overdue: overdue.slice(0, DIGEST_LIST_CAP).map((m) => ({ id: m.id, title: m.title, dueAt: m.dueAt, required: m.required })),
    overdueTotal: overdue.length,
    news: s.digest.items
      .filter((i) => !DIGEST_COVERED_KINDS.includes(i.kind) && Date.parse(i.at) > nowMs - DIGEST_NEWS_DAYS * DAY)
      .slice(-DIGEST_LIST_CAP)
      .map((i) => {
        const detail = newsDetail(i.data);
        return { kind: i.kind, at: i.at, ...(detail ? { detail } : {}), ...(isEssentialItem(s, i) ? { essential: true } : {}) };
      }),
  };
}

/** What a ping was about, in a few words: the milestone's title or the opportunity's account. */
function newsDetail(data: unknown): string | undefined {
  const d = (data ?? {}) as { milestone?: { title?: unknown }; opportunity?: { account?: unknown; opportunityId?: unknown } };
  if (typeof d.milestone?.title === 'string') return d.milestone.title;
  const o = d.opportunity;
  if (typeof o?.account === 'string') return o.account;
  if (typeof o?.opportunityId === 'string') return o.opportunityId;
  return undefined;
}
