/**
 * The default playbook: the seed's 90-day framework for core partners, the
 * longer strategic path and the stripped-down transactional path. Pure data
 * (passes `PlaybookSchema`; a unit test checks it).
 *
 * Due days count from the contract signature. The core table is the contract's
 * table. Strategic (120 days) and transactional (60 days) partners keep the
 * week-1 due days (welcome, kickoff and access "within 48 hours", contacts and
 * agreements in week 1) and scale every later due day by 120/90 or 60/90,
 * rounded; strategic partners add a joint business plan "from Day 1" (day 14)
 * and an executive sponsor (day 21).
 */
import type { CompletionRule, MilestoneDef, NotificationRule, Playbook, SegmentPlan } from './playbook';

const on = (...events: Extract<CompletionRule, { kind: 'event' }>['events']): CompletionRule => ({ kind: 'event', events });
const trained = (module: string): CompletionRule => ({ kind: 'event', events: ['training_completed'], match: { module } });
const jointPlan: CompletionRule = { kind: 'event', events: ['joint_business_plan_created'], firstOpenOnly: true };

/** What each milestone is, who owns it and what completes it; segments say when it is due. */
const CATALOGUE: Record<string, Pick<MilestoneDef, 'title' | 'owner' | 'completion' | 'forAdditionalRole'>> = {
  // Foundation: "access to everything they need", "understands who you sell to", "can explain your product"
  welcome_email: { title: 'Welcome e-mail with clear next steps', owner: 'vendor', completion: { kind: 'notification_delivered', notification: 'welcome' } },
  kickoff_call: { title: 'Kickoff call with the partner manager', owner: 'partner', completion: on('kickoff_completed') },
  portal_access: { title: 'Portal, training and deal registration access', owner: 'vendor', completion: on('portal_access_granted') },
  primary_contacts: { title: 'Primary contacts designated', owner: 'partner', completion: on('contacts_designated') },
  company_profile: { title: 'Company profile completed', owner: 'partner', completion: on('profile_completed') },
  agreements_signed: { title: 'Data sharing and confidentiality agreements signed', owner: 'partner', completion: on('agreements_signed') },
  joint_business_plan: { title: 'Joint business plan', owner: 'vendor', completion: jointPlan },
  executive_sponsor: { title: 'Executive sponsor assigned', owner: 'vendor', completion: on('executive_sponsor_assigned') },
  // Week 2, "Your activities": "Provide account lists for partner to review (target accounts in their territory/vertical)".
  target_account_lists: { title: 'Target account lists shared for review', owner: 'vendor', completion: on('target_accounts_shared') },
  business_101_training: { title: 'Business 101 training', owner: 'partner', completion: trained('business_101') },
  opportunity_discovery: { title: 'First opportunity identified', owner: 'partner', completion: on('opportunity_identified', 'opportunity_registered') },
  product_training: { title: 'Product training', owner: 'partner', completion: trained('product') },
  product_assessment: { title: 'Product knowledge assessment passed', owner: 'partner', completion: { kind: 'assessment_passed', assessment: 'product' } },
  demo_shadowed: { title: 'Product demo shadowed', owner: 'partner', completion: on('demo_shadowed') },
  // Activation: "successfully initiated their first co-sell motion", "certified in their specific role"
  co_selling_training: { title: 'Co-selling training', owner: 'partner', completion: trained('co_selling') },
  first_opportunity_registered: { title: 'First opportunity registered', owner: 'partner', completion: { kind: 'registrations', count: 1 } },
  // A won deal was qualified on the way.
  first_opportunity_qualified: { title: 'First opportunity qualified', owner: 'vendor', completion: on('opportunity_qualified', 'deal_won') },
  role_certification: { title: 'Role-specific certification', owner: 'partner', completion: { kind: 'certification_passed' } },
  role_practical: { title: 'Role practical (role play, deep dive or planning session)', owner: 'partner', completion: { kind: 'practical_done' } },
  // "Onboarding diverges based on partner type": a partner with several roles takes each other role's path too.
  sales_certification: { title: 'Sales certification', owner: 'partner', completion: { kind: 'certification_passed', track: 'sales' }, forAdditionalRole: 'sales' },
  sales_practical: { title: 'Role-play sales call with our team', owner: 'partner', completion: { kind: 'practical_done', track: 'sales' }, forAdditionalRole: 'sales' },
  technical_certification: {
    title: 'Technical certification',
    owner: 'partner',
    completion: { kind: 'certification_passed', track: 'technical' },
    forAdditionalRole: 'technical',
  },
  technical_practical: {
    title: 'Technical deep dive with our solutions architects',
    owner: 'partner',
    completion: { kind: 'practical_done', track: 'technical' },
    forAdditionalRole: 'technical',
  },
  strategic_certification: {
    title: 'Ecosystem collaboration certification',
    owner: 'partner',
    completion: { kind: 'certification_passed', track: 'strategic' },
    forAdditionalRole: 'strategic',
  },
  strategic_practical: {
    title: 'Strategic planning session with the alliances lead',
    owner: 'partner',
    completion: { kind: 'practical_done', track: 'strategic' },
    forAdditionalRole: 'strategic',
  },
  first_customer_engagement: { title: 'First joint customer engagement', owner: 'partner', completion: on('customer_engagement_completed') },
  // Momentum: "first deal closed OR high-confidence opportunity", "2-3 additional opportunities"
  first_deal_or_pipeline: { title: 'First deal won or qualified pipeline', owner: 'partner', completion: { kind: 'deal_or_pipeline' } },
  additional_opportunities: { title: 'Two more opportunities registered', owner: 'partner', completion: { kind: 'registrations', count: 3 } },
  community_event: { title: 'Partner community event attended', owner: 'partner', completion: on('community_event_attended') },
  business_review_90_day: { title: '90-day business review', owner: 'vendor', completion: on('business_review_completed') },
  next_quarter_plan: { title: 'Joint business plan for the next 90 days', owner: 'vendor', completion: jointPlan },
  extended_team: { title: 'Extended team met (marketing, product, customer success)', owner: 'vendor', completion: on('extended_team_met') },
  onboarding_survey: { title: 'Onboarding feedback survey', owner: 'partner', completion: on('survey_completed') },
};

type Row = [id: keyof typeof CATALOGUE, phase: MilestoneDef['phase'], dueDay: number, required: boolean];
const milestones = (rows: Row[], overrides: Record<string, Partial<MilestoneDef>> = {}): MilestoneDef[] =>
  rows.map(([id, phase, dueDay, requiredAtCheckpoint]) => ({
    id,
    ...CATALOGUE[id],
    phase,
    dueDay,
    requiredAtCheckpoint,
    ...overrides[id],
  }));

/** Each additional role's certification (required) and practical, due with the primary role's. */
const additionalRoles = (dueDay: number): Row[] =>
  (['sales', 'technical', 'strategic'] as const).flatMap((role): Row[] => [
    [`${role}_certification`, 'activation', dueDay, true],
    [`${role}_practical`, 'activation', dueDay, false],
  ]);

const rule = (id: string, audience: NotificationRule['audience'], trigger: NotificationRule['trigger'], kind = id) =>
  ({ id, kind, audience, trigger }) as NotificationRule;
/** A rule whose messages reach every recipient, whatever their notification preferences. */
const essential = (r: NotificationRule): NotificationRule => ({ ...r, essential: true });

/** Nudges every segment gets. */
const commonNotifications = (opts: {
  trainings: string[];
  accessMilestones: string[];
  vendorMilestones: string[];
  surveyIfOpen?: string[];
}) => [
  // Essential: the plan, the contacts and the first week; an unsubscribed contact still gets it.
  essential(rule('welcome', ['partner'], { on: 'start', afterHours: 0 })),
  rule('access_overdue', ['manager'], { on: 'start', afterHours: 48, ifAnyOpen: opts.accessMilestones }),
  rule('milestone_reminder', ['partner'], {
    on: 'milestone_due',
    afterHours: -72,
    milestones: { owner: 'partner', requiredAtCheckpoint: true },
  }),
  rule('training_stalled_partner', ['partner'], { on: 'milestone_due', afterHours: 48, milestones: { ids: opts.trainings } }),
  rule('training_stalled_manager', ['manager'], { on: 'milestone_due', afterHours: 120, milestones: { ids: opts.trainings } }),
  // Essential: the answer to the partner's own registration, and what it waits for.
  essential(rule('registration_gated', ['partner'], { on: 'registration_gated' })),
  // The SLA messages are always essential (their kinds cannot be turned off).
  essential(rule('opportunity_sla_manager', ['manager'], { on: 'opportunity_sla', mark: 'response' })),
  essential(rule('opportunity_sla_escalation', ['escalation'], { on: 'opportunity_sla', mark: 'escalation' })),
  // "Prioritize partner's first deal (assign best resources)"; "Dedicated first deal support from partner success".
  rule('first_deal_support', ['manager'], { on: 'first_registration' }),
  // "Your activities" before each vendor-owned milestone: the manager hears two days ahead.
  rule('vendor_milestone_due', ['manager'], { on: 'milestone_due', afterHours: -48, milestones: { ids: opts.vendorMilestones } }),
  // "If deal slips: help partner maintain momentum with pipeline building" (qualify 2-3 backup opportunities).
  rule('deal_lost_followup', ['manager'], { on: 'deal_lost' }),
  // Essential: a decision is due (or was taken by default), and the escalation path.
  essential(rule('checkpoint_summary', ['manager'], { on: 'checkpoint_gaps' })),
  essential(rule('checkpoint_extended', ['manager'], { on: 'auto_extension' })),
  essential(rule('at_risk', ['escalation'], { on: 'at_risk' })),
  rule('phase_advanced', ['partner'], { on: 'phase_advanced' }),
  rule('first_deal_celebration', ['partner', 'manager'], { on: 'first_deal_won' }),
  rule('survey_request', ['partner'], { on: 'phase_deadline', phase: 'momentum', afterHours: -120, ifAnyOpen: opts.surveyIfOpen }),
  rule('graduated', ['partner', 'manager'], { on: 'graduated' }),
  // "Invite to relevant community channels (Slack groups, etc.)"; "Invite to partner community events".
  rule('graduated_community', ['partner'], { on: 'graduated' }, 'community_invitation'),
  rule('recurring_review_reminder', ['manager'], { on: 'review_due', afterHours: 0 }),
  // Ongoing success management: "Create 'next 90 days' joint business plan" at each review after graduation.
  rule('quarterly_plan_request', ['partner', 'manager'], { on: 'review_due', afterHours: -7 * 24, afterGraduation: true }),
  // Essential: who owns the partner now, and who the partner talks to.
  essential(rule('manager_handover', ['manager'], { on: 'manager_handover' })),
  essential(rule('success_handover', ['partner', 'manager'], { on: 'success_handover' })),
  // "Strong start but then activity drops off."
  rule('activity_dropped', ['manager'], { on: 'inactive' }),
  rule('tier_changed', ['partner', 'manager'], { on: 'tier_changed' }),
  essential(rule('offboarded', ['manager'], { on: 'offboarded' })),
];

/** Guided segments also get the week-2 check-in, certificates and the business review invitation. */
const guidedNotifications = (vendorMilestones: string[]) => [
  ...commonNotifications({
    trainings: ['business_101_training', 'product_training', 'co_selling_training'],
    accessMilestones: ['portal_access', 'kickoff_call'],
    vendorMilestones,
    surveyIfOpen: ['onboarding_survey'],
  }),
  // "Certificate + recognition when complete".
  rule('certification_recognition', ['partner', 'manager'], { on: 'certification_passed' }),
  rule('week2_checkin', ['manager'], { on: 'start', afterHours: 12 * 24 }),
  rule('business_review_scheduled', ['partner', 'manager'], {
    on: 'milestone_due',
    afterHours: -10 * 24,
    milestones: { ids: ['business_review_90_day'] },
  }),
];

/** Core partners: "Standard 90-day path", the contract's table. */
const core: SegmentPlan = {
  phaseDays: { foundation: 30, activation: 30, momentum: 30 },
  reviewCadenceDays: 90,
  reviewsDuringOnboarding: false,
  milestones: milestones([
    ['welcome_email', 'foundation', 2, false],
    ['kickoff_call', 'foundation', 2, false],
    ['portal_access', 'foundation', 2, true],
    ['primary_contacts', 'foundation', 7, true],
    ['company_profile', 'foundation', 7, false],
    ['agreements_signed', 'foundation', 7, false],
    ['business_101_training', 'foundation', 14, false],
    ['target_account_lists', 'foundation', 14, false],
    ['opportunity_discovery', 'foundation', 14, true],
    ['product_training', 'foundation', 30, true],
    ['product_assessment', 'foundation', 30, true],
    ['demo_shadowed', 'foundation', 30, false],
    ['co_selling_training', 'activation', 42, true],
    ['first_opportunity_registered', 'activation', 45, true],
    ['first_opportunity_qualified', 'activation', 50, true],
    ['role_certification', 'activation', 56, true],
    ['role_practical', 'activation', 56, false],
    ...additionalRoles(56),
    ['first_customer_engagement', 'activation', 60, true],
    ['first_deal_or_pipeline', 'momentum', 80, true],
    ['additional_opportunities', 'momentum', 90, true],
    ['community_event', 'momentum', 90, true],
    ['business_review_90_day', 'momentum', 90, true],
    ['next_quarter_plan', 'momentum', 90, true],
    ['extended_team', 'momentum', 90, false],
    ['onboarding_survey', 'momentum', 90, false],
  ]),
  notifications: guidedNotifications(['portal_access', 'target_account_lists', 'first_opportunity_qualified', 'next_quarter_plan', 'extended_team']),
};

/** Strategic partners: "Longer timeline: 120 days", "Joint business plan from Day 1", "Monthly business reviews". */
const strategic: SegmentPlan = {
  phaseDays: { foundation: 40, activation: 40, momentum: 40 },
  reviewCadenceDays: 30,
  reviewsDuringOnboarding: true,
  milestones: milestones(
    [
      ['welcome_email', 'foundation', 2, false],
      ['kickoff_call', 'foundation', 2, false],
      ['portal_access', 'foundation', 2, true],
      ['primary_contacts', 'foundation', 7, true],
      ['company_profile', 'foundation', 7, false],
      ['agreements_signed', 'foundation', 7, false],
      ['joint_business_plan', 'foundation', 14, true],
      ['target_account_lists', 'foundation', 14, false],
      ['business_101_training', 'foundation', 19, false],
      ['opportunity_discovery', 'foundation', 19, true],
      ['executive_sponsor', 'foundation', 21, true],
      ['product_training', 'foundation', 40, true],
      ['product_assessment', 'foundation', 40, true],
      ['demo_shadowed', 'foundation', 40, false],
      ['co_selling_training', 'activation', 56, true],
      ['first_opportunity_registered', 'activation', 60, true],
      ['first_opportunity_qualified', 'activation', 67, true],
      ['role_certification', 'activation', 75, true],
      ['role_practical', 'activation', 75, false],
      ...additionalRoles(75),
      ['first_customer_engagement', 'activation', 80, true],
      ['first_deal_or_pipeline', 'momentum', 107, true],
      ['additional_opportunities', 'momentum', 120, true],
      ['community_event', 'momentum', 120, true],
      ['business_review_90_day', 'momentum', 120, true],
      ['next_quarter_plan', 'momentum', 120, true],
      ['extended_team', 'momentum', 120, false],
      ['onboarding_survey', 'momentum', 120, false],
    ],
    {
      // Monthly reviews run all along; the closing review is the one held in the momentum phase.
      business_review_90_day: {
        title: 'End-of-onboarding business review (day 120)',
        completion: { kind: 'event', events: ['business_review_completed'], fromPhase: 'momentum' },
      },
    },
  ),
  notifications: guidedNotifications([
    'portal_access',
    'joint_business_plan',
    'target_account_lists',
    'executive_sponsor',
    'first_opportunity_qualified',
    'next_quarter_plan',
    'extended_team',
  ]),
};

/** Transactional partners: "Fast-track: 60 days, stripped down", "Deal registration only", "Digital onboarding". */
const transactional: SegmentPlan = {
  phaseDays: { foundation: 20, activation: 20, momentum: 20 },
  reviewCadenceDays: 90,
  reviewsDuringOnboarding: false,
  milestones: milestones([
    ['portal_access', 'foundation', 2, true],
    ['agreements_signed', 'foundation', 7, true],
    ['business_101_training', 'foundation', 9, true],
    ['first_opportunity_registered', 'activation', 30, true],
    ['first_deal_or_pipeline', 'momentum', 53, true],
    ['additional_opportunities', 'momentum', 60, true],
  ]),
  notifications: commonNotifications({
    trainings: ['business_101_training'],
    accessMilestones: ['portal_access'],
    vendorMilestones: ['portal_access'],
  }),
};

export const DEFAULT_PLAYBOOK: Playbook = {
  version: 'default-2027.01',
  // Placeholders under example.com: copy this playbook, put your program's own
  // links in, and point PLAYBOOK_PATH at it (the worker warns while they remain).
  program: {
    name: 'Partner Program',
    currency: 'USD',
    portalUrl: 'https://partners.example.com',
    surveyUrl: 'https://partners.example.com/onboarding-survey',
    officeHoursUrl: 'https://partners.example.com/office-hours',
    community: { url: 'https://partners.example.com/community', channels: ['#partners-general', '#partners-announcements'] },
    certificatesUrl: 'https://partners.example.com/certificates',
    escalation: { name: 'Partner Success desk', email: 'partner-success@example.com', slackChannel: '#partner-escalations' },
  },
  passMark: 80,
  pipelineThreshold: 50_000,
  opportunitySla: { responseHours: 24, escalationHours: 48 },
  checkpointPolicy: { decisionWindowDays: 3, defaultExtensionDays: 14, maxAutoExtensions: 2 },
  atRiskOverdueDays: 14,
  gates: [{ event: 'opportunity_registered', requires: ['business_101_training'] }],
  fastTrack: {
    waive: ['business_101_training'],
    waiveReason: 'fast track',
    testOut: [{ milestone: 'product_training', whenDone: 'product_assessment' }],
  },
  businessHours: { weekdays: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 },
  digestHourUtc: 9,
  segments: { strategic, core, transactional },
  // After graduation: a partner with no event for 45 days is at risk; tiers from deals and certifications.
  ongoing: {
    inactivityDays: 45,
    tiers: [
      { id: 'gold', name: 'Gold', minRegistered: 10, minWonRevenue: 250_000, minCertifications: 2 },
      { id: 'silver', name: 'Silver', minRegistered: 5, minWonRevenue: 100_000, minCertifications: 1 },
    ],
  },
};
