/** Several roles: each role adds its certification path; leaving activation needs every one. */
import { parseProfile } from '../../workflows/types';
import { Sim, profile } from './harness';

const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }];

/** A core partner through foundation and activation's other milestones, with `roles`. */
function inActivation(roles: ('sales' | 'technical' | 'strategic')[]): Sim {
  return new Sim(profile({ role: undefined, roles }))
    .day(1)
    .event('kickoff_completed')
    .event('portal_access_granted')
    .event('contacts_designated', { contacts })
    .event('training_completed', { module: 'business_101' })
    .event('opportunity_identified', { opportunityId: 'opp-1' })
    .event('training_completed', { module: 'product' })
    .event('assessment_completed', { assessment: 'product', score: 90 })
    .day(31)
    .event('training_completed', { module: 'co_selling' })
    .event('opportunity_registered', { opportunityId: 'opp-1' })
    .event('opportunity_qualified', { opportunityId: 'opp-1' })
    .event('customer_engagement_completed', { opportunityId: 'opp-1', kind: 'meeting' });
}

describe('a partner with roles sales and technical', () => {
  it('has both certification paths in its plan, and the single-role partner only its own', () => {
    const both = inActivation(['sales', 'technical']).view();
    expect(both.roles).toEqual(['sales', 'technical']);
    expect(both.role).toBe('sales');
    const ids = both.milestones.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['role_certification', 'role_practical', 'technical_certification', 'technical_practical']));
    expect(ids).not.toContain('sales_certification');
    expect(inActivation(['sales']).view().milestones.map((m) => m.id)).not.toContain('technical_certification');
  });

  it('must pass both certifications to leave activation', () => {
    const sim = inActivation(['sales', 'technical']);
    sim.day(40).event('certification_completed', { track: 'sales', passed: true, score: 90 });
    expect(sim.view().phase).toBe('activation');
    expect(sim.status('role_certification')).toBe('done');
    expect(sim.status('technical_certification')).toBe('pending');
    sim.day(41).event('certification_completed', { track: 'technical', passed: true, score: 85 });
    expect(sim.view().phase).toBe('momentum');
  });

  it('counts the first attempt of each certification, and recognises each pass once', () => {
    const sim = inActivation(['sales', 'technical']);
    sim.day(40).event('certification_completed', { track: 'technical', passed: false, score: 60 });
    sim.event('certification_completed', { track: 'sales', passed: true });
    sim.day(42).event('certification_completed', { track: 'technical', passed: true, score: 82 });
    sim.event('certification_completed', { track: 'technical', passed: true, score: 95 });
    const v = sim.view();
    expect(v.indicators.certificationFirstAttempts).toEqual({ technical: false, sales: true });
    expect(v.indicators.certificationFirstAttemptPassed).toBe(true); // the primary role's (sales)
    sim.day(45);
    expect(sim.keys('certification_recognition').sort()).toEqual([
      'certification_recognition:sales:manager',
      'certification_recognition:sales:partner',
      'certification_recognition:technical:manager',
      'certification_recognition:technical:partner',
    ]);
    const technical = sim.sentOf('certification_recognition:technical:manager')?.request;
    expect(technical?.kind === 'certification_recognition' && technical.data).toMatchObject({
      track: 'technical',
      score: 82,
      certification: { id: 'technical_certification', title: 'Technical certification' },
    });
  });

  it('a practical counts for its track; one without a track for the primary role', () => {
    const sim = inActivation(['sales', 'technical']);
    sim.event('practical_completed', { kind: 'technical deep dive', track: 'technical' });
    expect([sim.status('technical_practical'), sim.status('role_practical')]).toEqual(['done', 'pending']);
    sim.event('practical_completed', { kind: 'role play' });
    expect(sim.status('role_practical')).toBe('done');
  });

  it('ignores a certification on a track the partner does not have', () => {
    const sim = inActivation(['sales']).event('certification_completed', { track: 'technical', passed: false });
    expect(sim.view().indicators.certificationFirstAttempts).toEqual({});
  });
});

describe('the profile names its roles', () => {
  const base = profile();
  it.each([
    [{ role: undefined, roles: undefined }, 'role', 'give role, or roles'],
    [{ role: 'sales', roles: ['technical', 'sales'] }, 'roles', 'must start with role (the primary role) when both are given'],
    [{ role: undefined, roles: ['sales', 'sales'] }, 'roles', 'must not repeat a role'],
    [{ role: undefined, roles: [] }, 'roles', 'Too small: expected array to have >=1 items'],
  ])('%j is refused, naming the field', (change, field, message) => {
    const r = parseProfile({ ...base, ...change });
    expect(r.ok ? [] : r.errors).toEqual([{ field, message }]);
  });

  it('accepts role alone, roles alone, or both when roles starts with role', () => {
    expect(parseProfile({ ...base, role: 'technical', roles: undefined }).ok).toBe(true);
    expect(parseProfile({ ...base, role: undefined, roles: ['technical', 'sales'] }).ok).toBe(true);
    expect(parseProfile({ ...base, role: 'technical', roles: ['technical', 'strategic'] }).ok).toBe(true);
  });
});
