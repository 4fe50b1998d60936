import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { loadPlaybookFile } from '../../config/loadPlaybook';
import { withBuiltInRules } from '../../workflows/notifications';
import { parsePlaybook, type NotificationRule, type Playbook } from '../../workflows/playbook';

const copy = (): Playbook => JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK));
/** The default playbook with values set (or, for `undefined`, removed) at dotted paths. */
function changed(changes: Record<string, unknown>): unknown {
  const pb = copy() as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, pb);
    if (value === undefined) delete parent[keys.at(-1)!];
    else parent[keys.at(-1)!] = value;
  }
  return pb;
}
const errorsOf = (json: unknown) => {
  const r = parsePlaybook(json);
  if (r.ok) throw new Error('expected the playbook to be invalid');
  return r.errors;
};
/** The plan of a partner with one role: the contract's table. */
const table = (segment: keyof Playbook['segments']) =>
  DEFAULT_PLAYBOOK.segments[segment].milestones.filter((m) => !m.forAdditionalRole).map((m) => [m.id, m.phase, m.dueDay, m.requiredAtCheckpoint]);

describe('default playbook', () => {
  it('passes the schema and has a version', () => {
    const r = parsePlaybook(DEFAULT_PLAYBOOK);
    expect(r.ok).toBe(true);
    expect(DEFAULT_PLAYBOOK.version).toBe('default-2027.01');
  });

  it("core partners follow the contract's table exactly", () => {
    expect(DEFAULT_PLAYBOOK.segments.core.phaseDays).toEqual({ foundation: 30, activation: 30, momentum: 30 });
    expect(table('core')).toEqual([
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
      ['first_customer_engagement', 'activation', 60, true],
      ['first_deal_or_pipeline', 'momentum', 80, true],
      ['additional_opportunities', 'momentum', 90, true],
      ['community_event', 'momentum', 90, true],
      ['business_review_90_day', 'momentum', 90, true],
      ['next_quarter_plan', 'momentum', 90, true],
      ['extended_team', 'momentum', 90, false],
      ['onboarding_survey', 'momentum', 90, false],
    ]);
  });

  it('strategic partners: 120 days, a joint business plan on day 14, an executive sponsor, monthly reviews', () => {
    const strategic = DEFAULT_PLAYBOOK.segments.strategic;
    expect(strategic.phaseDays).toEqual({ foundation: 40, activation: 40, momentum: 40 });
    expect(strategic.reviewCadenceDays).toBe(30);
    expect(strategic.reviewsDuringOnboarding).toBe(true);
    expect(table('strategic')).toContainEqual(['joint_business_plan', 'foundation', 14, true]);
    expect(table('strategic')).toContainEqual(['executive_sponsor', 'foundation', 21, true]);
    expect(table('strategic')).toContainEqual(['business_review_90_day', 'momentum', 120, true]);
    expect(table('strategic')).toContainEqual(['first_opportunity_registered', 'activation', 60, true]);
  });

  it('transactional partners: 60 days, six required milestones, no kickoff, certification, engagement, review or plan', () => {
    expect(DEFAULT_PLAYBOOK.segments.transactional.phaseDays).toEqual({ foundation: 20, activation: 20, momentum: 20 });
    expect(table('transactional')).toEqual([
      ['portal_access', 'foundation', 2, true],
      ['agreements_signed', 'foundation', 7, true],
      ['business_101_training', 'foundation', 9, true],
      ['first_opportunity_registered', 'activation', 30, true],
      ['first_deal_or_pipeline', 'momentum', 53, true],
      ['additional_opportunities', 'momentum', 60, true],
    ]);
    const kinds = DEFAULT_PLAYBOOK.segments.transactional.notifications.map((n) => n.kind);
    expect(kinds).not.toContain('week2_checkin');
    expect(kinds).not.toContain('business_review_scheduled');
  });

  it('gates registration behind Business 101 and fast-tracks experienced partners', () => {
    expect(DEFAULT_PLAYBOOK.gates).toEqual([{ event: 'opportunity_registered', requires: ['business_101_training'] }]);
    expect(DEFAULT_PLAYBOOK.fastTrack).toEqual({
      waive: ['business_101_training'],
      waiveReason: 'fast track',
      testOut: [{ milestone: 'product_training', whenDone: 'product_assessment' }],
    });
    expect(DEFAULT_PLAYBOOK.checkpointPolicy).toEqual({ decisionWindowDays: 3, defaultExtensionDays: 14, maxAutoExtensions: 2 });
  });
});

describe('several roles', () => {
  it('each additional role adds its own required certification and its practical, due with the primary one', () => {
    for (const segment of ['core', 'strategic'] as const) {
      const extra = DEFAULT_PLAYBOOK.segments[segment].milestones.filter((m) => m.forAdditionalRole);
      const primary = DEFAULT_PLAYBOOK.segments[segment].milestones.find((m) => m.id === 'role_certification')!;
      expect(extra.map((m) => [m.id, m.forAdditionalRole, m.phase, m.dueDay, m.requiredAtCheckpoint])).toEqual(
        (['sales', 'technical', 'strategic'] as const).flatMap((role) => [
          [`${role}_certification`, role, 'activation', primary.dueDay, true],
          [`${role}_practical`, role, 'activation', primary.dueDay, false],
        ]),
      );
    }
    expect(DEFAULT_PLAYBOOK.segments.transactional.milestones.some((m) => m.forAdditionalRole)).toBe(false);
  });
});

describe('parsePlaybook errors name the field', () => {
  it('reports type and range errors by path', () => {
    const bad = changed({
      passMark: 120,
      'segments.core.milestones.2.id': 'Portal Access',
      'segments.core.notifications.0.kind': 'carrier_pigeon',
      'segments.strategic.phaseDays.activation': 0,
      'checkpointPolicy.maxAutoExtensions': -1,
    });
    const fields = errorsOf(bad).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'passMark',
        'segments.core.milestones[2].id',
        'segments.core.notifications[0].kind',
        'segments.strategic.phaseDays.activation',
        'checkpointPolicy.maxAutoExtensions',
      ]),
    );
  });

  it('refuses a rule whose kind cannot be built from its trigger or has no version for its audience', () => {
    const bad = copy();
    const welcome = bad.segments.core.notifications.findIndex((n) => n.id === 'welcome');
    bad.segments.core.notifications[welcome] = { id: 'welcome', kind: 'milestone_reminder', audience: ['manager'], trigger: { on: 'start', afterHours: 0 } };
    expect(errorsOf(bad)).toEqual([
      { field: `segments.core.notifications[${welcome}].trigger.on`, message: 'a milestone_reminder rule must be triggered on milestone_due' },
      { field: `segments.core.notifications[${welcome}].audience[0]`, message: 'a milestone_reminder message has no manager version (allowed: partner)' },
    ]);
  });

  it('validates the rule for conflicting registrations, and the conflict messages like any other', () => {
    expect(errorsOf(changed({ accountConflicts: { rule: 'coin_flip' } }))).toEqual([
      { field: 'accountConflicts.rule', message: 'Invalid option: expected one of "first_registration_wins"|"manager_decides"' },
    ]);
    expect(parsePlaybook(changed({ accountConflicts: { rule: 'manager_decides' } })).ok).toBe(true);
    // The default playbook does not name it (default-2027.01's content stays as published): first registration wins.
    expect(DEFAULT_PLAYBOOK.accountConflicts).toBeUndefined();
    // A playbook may write its own conflict rules; they are checked like any other.
    const bad = copy();
    bad.segments.core.notifications.push({ id: 'registration_conflict', kind: 'registration_conflict', audience: ['manager'], trigger: { on: 'first_registration' } });
    const i = bad.segments.core.notifications.length - 1;
    expect(errorsOf(bad)).toEqual([
      { field: `segments.core.notifications[${i}].trigger.on`, message: 'a registration_conflict rule must be triggered on account_conflict or account_conflict_resolved' },
      { field: `segments.core.notifications[${i}].audience[0]`, message: 'a registration_conflict message has no manager version (allowed: partner)' },
    ]);
  });

  it('gives every segment the built-in conflict rules unless it lists rules of their kinds', () => {
    for (const segment of ['strategic', 'core', 'transactional'] as const) {
      const rules = withBuiltInRules(DEFAULT_PLAYBOOK.segments[segment].notifications);
      expect(rules.filter((r) => r.kind === 'account_conflict' || r.kind === 'registration_conflict').map((r) => [r.id, r.audience.join('+'), r.trigger.on])).toEqual([
        ['account_conflict', 'manager+escalation', 'account_conflict'],
        ['account_conflict_resolved', 'manager+escalation', 'account_conflict_resolved'],
        ['registration_conflict', 'partner', 'account_conflict'],
        ['registration_conflict_resolved', 'partner', 'account_conflict_resolved'],
      ]);
    }
    // A segment's own rule of a kind replaces the built-in rules of that kind, and only those.
    const ping: NotificationRule = { id: 'conflict_ping', kind: 'account_conflict', audience: ['manager'], trigger: { on: 'account_conflict' }, essential: false };
    const own = [...DEFAULT_PLAYBOOK.segments.core.notifications, ping];
    expect(withBuiltInRules(own).filter((r) => r.trigger.on.startsWith('account_conflict')).map((r) => r.id)).toEqual([
      'conflict_ping',
      'registration_conflict',
      'registration_conflict_resolved',
    ]);
    expect(parsePlaybook({ ...copy(), segments: { ...copy().segments, core: { ...copy().segments.core, notifications: own } } }).ok).toBe(true);
  });

  it('validates the program section: links, currency, escalation contact', () => {
    const bad = changed({
      'program.portalUrl': 'javascript:alert(1)',
      'program.currency': 'euro',
      'program.escalation.email': 'desk',
      'program.name': undefined,
    });
    expect(errorsOf(bad)).toEqual(
      expect.arrayContaining([
        { field: 'program.portalUrl', message: 'must be an http(s) URL' },
        { field: 'program.currency', message: 'must be an ISO 4217 currency code such as USD' },
        { field: 'program.escalation.email', message: 'must be an e-mail address' },
        expect.objectContaining({ field: 'program.name' }),
      ]),
    );
  });

  it('rejects unknown keys (typos) where they occur', () => {
    const bad = changed({ 'segments.core.milestones.0.requried': true });
    expect(errorsOf(bad)).toEqual([{ field: 'segments.core.milestones[0]', message: 'Unrecognized key: "requried"' }]);
  });

  it('names versions so that they can be published (URLs, workflow ids, the CLI)', () => {
    expect(errorsOf(changed({ version: 'v 2' }))).toEqual([{ field: 'version', message: 'must be 1 to 64 of A-Z a-z 0-9 . _ -, e.g. 2027.01' }]);
    expect(errorsOf(changed({ version: 'x'.repeat(65) })).map((e) => e.field)).toEqual(['version']);
    expect(parsePlaybook(changed({ version: 'acme_2027.01-rc1' })).ok).toBe(true);
  });

  it('reports a missing field', () => {
    const bad = changed({ version: undefined });
    expect(errorsOf(bad).map((e) => e.field)).toEqual(['version']);
  });

  it('checks cross-references: due day within its phase, unique ids, known milestone ids', () => {
    const bad = copy();
    bad.segments.core.milestones[3].dueDay = 45; // primary_contacts is a foundation milestone (days 0-30)
    bad.segments.core.milestones[4].id = 'portal_access';
    bad.gates[0].requires = ['business_202_training'];
    bad.fastTrack.testOut[0].whenDone = 'product_exam';
    const reminder = bad.segments.transactional.notifications.find((n) => n.id === 'training_stalled_partner')!;
    if (reminder.trigger.on === 'milestone_due') reminder.trigger.milestones.ids = ['product_training'];
    expect(errorsOf(bad)).toEqual(
      expect.arrayContaining([
        { field: 'segments.core.milestones[3].dueDay', message: 'must be at most 30, the last day of the foundation phase' },
        { field: 'segments.core.milestones[4].id', message: "duplicate milestone id 'portal_access'" },
        { field: 'gates[0].requires[0]', message: "unknown milestone id 'business_202_training' (in no segment)" },
        { field: 'fastTrack.testOut[0].whenDone', message: "unknown milestone id 'product_exam' (in no segment)" },
        {
          field: `segments.transactional.notifications[${bad.segments.transactional.notifications.indexOf(reminder)}].trigger.milestones.ids[0]`,
          message: "unknown milestone id 'product_training'",
        },
      ]),
    );
  });

  it('checks policies that relate two numbers', () => {
    const bad = copy();
    bad.opportunitySla = { responseHours: 48, escalationHours: 24 };
    bad.businessHours = { weekdays: [1, 2, 3, 4, 5], startHour: 17, endHour: 9 };
    expect(errorsOf(bad)).toEqual(
      expect.arrayContaining([
        { field: 'opportunitySla.escalationHours', message: 'must be greater than responseHours' },
        { field: 'businessHours.endHour', message: 'must be after startHour' },
      ]),
    );
  });

  it('rejects something that is not an object at all', () => {
    expect(errorsOf('playbook')[0].field).toBe('(root)');
  });
});

describe('loadPlaybookFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'playbook-'));

  it('reads JSON', () => {
    const file = join(dir, 'playbook.json');
    writeFileSync(file, JSON.stringify({ ...DEFAULT_PLAYBOOK, version: 'acme-json-1' }));
    const r = loadPlaybookFile(file);
    expect(r.ok && r.value.version).toBe('acme-json-1');
  });

  it('reads YAML', () => {
    const file = join(dir, 'playbook.yaml');
    writeFileSync(file, stringify({ ...DEFAULT_PLAYBOOK, version: 'acme-yaml-1', passMark: 75 }));
    const r = loadPlaybookFile(file);
    expect(r.ok && [r.value.version, r.value.passMark]).toEqual(['acme-yaml-1', 75]);
  });

  it('names the field of an invalid file and reports unreadable files', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, stringify({ ...DEFAULT_PLAYBOOK, pipelineThreshold: -5 }));
    expect(loadPlaybookFile(file)).toEqual({
      ok: false,
      errors: [{ field: 'pipelineThreshold', message: 'Too small: expected number to be >=0' }],
    });
    const missing = loadPlaybookFile(join(dir, 'missing.json'));
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.errors[0].field).toBe('(file)');
    writeFileSync(join(dir, 'broken.json'), '{ "version": ');
    expect(loadPlaybookFile(join(dir, 'broken.json')).ok).toBe(false);
  });
});
