/**
 * The domain's work for one event, as the workflow shell does it in the task
 * that applies the event (the steps of bench/domain-cost.ts), for `partners`
 * core partners x 20 events. Plain code: bench/sandbox-cost.ts runs it in plain
 * Node and inside the SDK's workflow sandbox. Returns the number of wake-up
 * moments computed, so no step can be optimized away.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import {
  accountWork,
  advance,
  applyEvent,
  currentDetails,
  initState,
  nextWake,
  recordDelivery,
  reportSummary,
  searchAttributes,
  withCrossPartnerDigest,
} from '../../workflows/domain';
import type { PartnerProfile } from '../../workflows/types';

export const EVENTS_PER_PARTNER = 20;
const START = Date.parse('2027-01-05T10:00:00Z');

/** A core partner with one partner contact (bench/domain-cost.ts's partners too). */
export function corePartner(partnerId: string, name: string): PartnerProfile {
  return {
    partnerId,
    name,
    segment: 'core',
    role: 'sales',
    timezone: 'Europe/Berlin',
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA' },
    contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee@partner.example' }],
  };
}

export function domainPass(partners: number, tag: string): number {
  let wakes = 0;
  for (let p = 0; p < partners; p++) {
    const partnerId = `${tag}-p${p}`;
    let s = withCrossPartnerDigest(initState(corePartner(partnerId, `Sandbox cost ${partnerId}`), DEFAULT_PLAYBOOK, START));
    const first = advance(s, START);
    s = first.state;
    for (const r of first.requests) s = recordDelivery(s, { key: r.key, status: 'sent' }, START);
    let now = START;
    for (let i = 0; i < EVENTS_PER_PARTNER; i++) {
      now += 60_000;
      s = applyEvent(s, { eventId: `${partnerId}-community-${i}`, type: 'community_event_attended' }, now);
      accountWork(s);
      s = advance(s, now).state;
      searchAttributes(s, now);
      JSON.stringify(reportSummary(s, now));
      const wake = nextWake(s, now);
      currentDetails(s, now, wake);
      if (wake) wakes += 1;
    }
  }
  return wakes;
}
