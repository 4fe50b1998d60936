/**
 * A small portfolio for the console's browser test and screenshots, created
 * through the HTTP API like ops and systems would: partners signed days or
 * weeks ago, with the events of their journey so far (dated by occurredAt).
 */
import type { PartnerEvent, PartnerProfile, Segment } from '../../workflows/types';
import { CORE_HAPPY_PATH } from './journeys';

const DAY_MS = 24 * 60 * 60 * 1000;

type Ev = Omit<PartnerEvent, 'eventId' | 'occurredAt'>;
interface DemoPartner {
  profile: Omit<PartnerProfile, 'contractSignedAt'>;
  /** Days since the contract. */
  signedDaysAgo: number;
  /** Events by day after the contract. */
  steps: { day: number; events: Ev[] }[];
}

const manager = (name: string, email: string, slackUserId: string) => ({ name, email, slackUserId });
const DANA = manager('Dana Ruiz', 'dana@vendor.example', 'U0DANA');
const SAM = manager('Sam Okafor', 'sam@vendor.example', 'U0SAM');

function partner(partnerId: string, name: string, segment: Segment, managerOf = DANA): DemoPartner['profile'] {
  return {
    partnerId,
    name,
    segment,
    role: segment === 'strategic' ? 'strategic' : 'sales',
    timezone: 'Europe/Berlin',
    partnerManager: managerOf,
    contacts: [{ role: 'sales', name: 'Lee Park', email: `lee@${partnerId}.example` }],
  };
}

const foundationBasics: Ev[] = [
  { type: 'kickoff_completed' },
  { type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } },
  { type: 'profile_completed' },
  { type: 'contacts_designated', data: { contacts: [{ role: 'technical', name: 'Kim Lee', email: 'kim@partner.example' }] } },
  { type: 'agreements_signed', data: { agreements: ['nda'] } },
];

/**
 * The core journey with accounts of the partner's own: two partners registering
 * the same account are a channel conflict (docs/accounts.md), and the later one's
 * registration is refused, so it would never win its first deal.
 */
function withAccounts(steps: DemoPartner['steps'], names: Record<string, string>): DemoPartner['steps'] {
  const rename = (account: string) => names[account] ?? account;
  return steps.map((s) => ({
    day: s.day,
    events: s.events.map((e) => {
      const data = e.data as { account?: string; accounts?: string[] } | undefined;
      if (data?.account) return { ...e, data: { ...data, account: rename(data.account) } } as Ev;
      if (data?.accounts) return { ...e, data: { ...data, accounts: data.accounts.map(rename) } } as Ev;
      return e;
    }),
  }));
}

export const DEMO_PARTNERS: DemoPartner[] = [
  {
    // Nothing since the kickoff: long overdue, the checkpoint waits after one default extension.
    profile: partner('globex-systems', 'Globex Systems', 'core'),
    signedDaysAgo: 45,
    steps: [{ day: 2, events: [{ type: 'kickoff_completed' }] }],
  },
  {
    // Foundation done but the product assessment: the checkpoint awaits a decision; an opportunity waits for an answer.
    profile: partner('acme-cloud', 'Acme Cloud GmbH', 'core'),
    signedDaysAgo: 32,
    steps: [
      { day: 1, events: foundationBasics },
      { day: 9, events: [{ type: 'training_completed', data: { module: 'business_101' } }] },
      { day: 12, events: [{ type: 'opportunity_identified', data: { opportunityId: 'opp-globex', account: 'Globex' } }] },
      { day: 20, events: [{ type: 'training_completed', data: { module: 'product' } }, { type: 'demo_shadowed' }] },
      { day: 30.5, events: [{ type: 'opportunity_registered', data: { opportunityId: 'opp-globex', account: 'Globex', amount: 48000 } }] },
      { day: 31.8, events: [{ type: 'opportunity_registered', data: { opportunityId: 'opp-wayne', account: 'Wayne Enterprises', amount: 12000 } }] },
    ],
  },
  {
    profile: partner('initech', 'Initech Partners', 'strategic', SAM),
    signedDaysAgo: 12,
    steps: [
      { day: 1, events: [...foundationBasics, { type: 'joint_business_plan_created' }] },
      { day: 6, events: [{ type: 'executive_sponsor_assigned', data: { name: 'Pat Lambert' } }] },
      { day: 9, events: [{ type: 'training_completed', data: { module: 'business_101' } }] },
    ],
  },
  {
    profile: partner('umbrella', 'Umbrella Resellers', 'transactional', SAM),
    signedDaysAgo: 6,
    steps: [{ day: 1, events: [{ type: 'portal_access_granted' }, { type: 'agreements_signed' }] }],
  },
  {
    // The seed's whole core journey: graduated.
    profile: partner('hooli', 'Hooli Integrations', 'core'),
    signedDaysAgo: 92,
    steps: withAccounts(CORE_HAPPY_PATH, { Globex: 'Massive Dynamic', Initech: 'Soylent', Umbrella: 'Cyberdyne' }),
  },
  {
    // Foundation done early; in activation with a qualified opportunity.
    profile: partner('vandelay', 'Vandelay Industries', 'core', SAM),
    signedDaysAgo: 48,
    steps: withAccounts(
      CORE_HAPPY_PATH.filter((s) => s.day <= 44),
      { Globex: 'Pendant Publishing', Initech: 'Kramerica', Umbrella: 'Monk Diner' },
    ),
  },
];

function eventsOf(p: DemoPartner, signedAt: number): PartnerEvent[] {
  return p.steps.flatMap((step, i) =>
    step.events.map(
      (e, j) =>
        ({
          ...e,
          eventId: `${p.profile.partnerId}-${i}-${j}`,
          occurredAt: new Date(signedAt + step.day * DAY_MS).toISOString(),
        }) as PartnerEvent,
    ),
  );
}

async function post(url: string, key: string | undefined, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

/** Starts the demo partners (ids suffixed to stay unique) and sends their events; returns their ids. */
export async function seedDemo(url: string, key?: string, suffix = ''): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (const p of DEMO_PARTNERS) {
    const signedAt = now - p.signedDaysAgo * DAY_MS;
    const partnerId = `${p.profile.partnerId}${suffix}`;
    await post(url, key, '/v1/partners', { ...p.profile, partnerId, contractSignedAt: new Date(signedAt).toISOString() });
    const events = eventsOf(p, signedAt);
    if (events.length) await post(url, key, `/v1/partners/${partnerId}/events`, events);
    ids.push(partnerId);
  }
  return ids;
}
