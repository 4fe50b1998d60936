/**
 * The account registry as a pure state machine (workflows/accounts/registry.ts):
 * the logic the `accountRegistry` workflow runs, one call at a time.
 */
import {
  accountView,
  checkDecision,
  claimAccount,
  decideConflict,
  initRegistry,
  recordDirectOwnership,
  releaseClaim,
  type RegistryState,
} from '../../workflows/accounts/registry';
import type { ConflictRule } from '../../workflows/accounts/schema';
import type { PartnerClaim } from '../../workflows/accounts/types';

const T = Date.parse('2026-12-10T10:00:00Z');
const ACCOUNT = { key: 'initech.example', by: 'domain' as const, label: 'initech.example' };

function claim(partnerId: string, opportunityId: string, rule: ConflictRule = 'first_registration_wins', extra: Partial<PartnerClaim> = {}): PartnerClaim {
  return {
    partnerId,
    opportunityId,
    account: 'Initech',
    domain: 'initech.example',
    amount: 40_000,
    registeredAt: new Date(T).toISOString(),
    partner: { name: `${partnerId} Ltd`, manager: { name: `${partnerId} manager`, email: `${partnerId}@vendor.example` } },
    rule,
    ...extra,
  };
}

function run(state: RegistryState, ...claims: PartnerClaim[]) {
  const answers = [];
  const notices = [];
  for (const c of claims) {
    const step = claimAccount(state, c, T);
    state = step.state;
    answers.push(step.answer);
    notices.push(...step.notices);
  }
  return { state, answers, notices };
}

describe('first registration wins', () => {
  it('the first partner holds the account; the second opens exactly one conflict and is refused', () => {
    const { state, answers, notices } = run(initRegistry(ACCOUNT), claim('contoso', 'c-1'), claim('northwind', 'n-1'));
    expect(answers[0]).toEqual({ opportunityId: 'c-1', account: ACCOUNT, status: 'held' });
    expect(answers[1]).toMatchObject({
      status: 'conflict',
      notice: { conflictId: 'initech.example#1', stage: 'flagged', role: 'challenger', outcome: 'rejected', escalate: true, opportunityIds: ['n-1'] },
    });
    expect(answers[1]!.notice!.other).toMatchObject({ kind: 'partner', partnerId: 'contoso', opportunityIds: ['c-1'] });
    // The holder hears by a notice; it does not report to the escalation channel (the challenger does).
    expect(notices).toEqual([
      { partnerId: 'contoso', notice: expect.objectContaining({ role: 'holder', outcome: 'kept', escalate: false, opportunityIds: ['c-1'] }) },
    ]);
    const view = accountView(state);
    expect(view.holder).toMatchObject({ kind: 'partner', partnerId: 'contoso' });
    expect(view.conflicts).toHaveLength(1);
    expect(view.conflicts[0]).toMatchObject({ status: 'resolved', winner: 'holder', decidedBy: 'playbook rule: first registration wins' });
    expect(view.claims.map((c) => [c.partnerId, c.status])).toEqual([['contoso', 'held'], ['northwind', 'rejected']]);
  });

  it('answers a claim it has seen with its first answer, and opens no second conflict', () => {
    const first = run(initRegistry(ACCOUNT), claim('contoso', 'c-1'), claim('northwind', 'n-1'));
    const again = run(first.state, claim('northwind', 'n-1'), claim('contoso', 'c-1'));
    expect(again.answers).toEqual([first.answers[1], first.answers[0]]);
    expect(again.notices).toEqual([]);
    expect(again.state).toBe(first.state);
  });

  it("a holder's further registrations of its account are held too; a third partner opens its own conflict", () => {
    const { state, answers } = run(initRegistry(ACCOUNT), claim('contoso', 'c-1'), claim('contoso', 'c-2'), claim('northwind', 'n-1'), claim('fabrikam', 'f-1'));
    expect(answers.map((a) => a.status)).toEqual(['held', 'held', 'conflict', 'conflict']);
    expect(answers[2]!.notice!.other).toMatchObject({ opportunityIds: ['c-1', 'c-2'] });
    expect(accountView(state).conflicts.map((c) => c.conflictId)).toEqual(['initech.example#1', 'initech.example#2']);
  });
});

describe('a manager decides', () => {
  const open = () => run(initRegistry(ACCOUNT), claim('contoso', 'c-1', 'manager_decides'), claim('northwind', 'n-1', 'manager_decides'));

  it('holds both registrations for the decision and tells both sides', () => {
    const { state, answers, notices } = open();
    expect(answers[1]!.notice).toMatchObject({ outcome: 'awaiting_decision', role: 'challenger' });
    expect(notices[0]!.notice).toMatchObject({ outcome: 'awaiting_decision', role: 'holder' });
    expect(accountView(state).conflicts[0]).toMatchObject({ status: 'open', rule: 'manager_decides' });
    expect(accountView(state).claims.map((c) => c.status)).toEqual(['held', 'contested']);
  });

  it('refuses decisions it cannot apply, with the reason', () => {
    const { state } = open();
    expect(checkDecision(state, { conflictId: 'initech.example#9', winner: 'contoso' })).toBe("no conflict 'initech.example#9' on initech.example");
    expect(checkDecision(state, { conflictId: 'initech.example#1', winner: 'fabrikam' })).toBe('winner must be contoso or northwind');
    expect(checkDecision(state, { conflictId: 'initech.example#1', winner: 'northwind' })).toBeNull();
  });

  it('gives the account to the winner and refuses the loser, telling both', () => {
    const { state } = open();
    const step = decideConflict(state, { conflictId: 'initech.example#1', winner: 'northwind', by: 'pat@vendor.example', note: 'brought the customer' }, T + 1000);
    expect(step.notices.map((n) => [n.partnerId, n.notice.stage, n.notice.outcome, n.notice.escalate])).toEqual([
      ['contoso', 'resolved', 'lost', false],
      ['northwind', 'resolved', 'won', true],
    ]);
    expect(step.notices[1]!.notice).toMatchObject({ decidedBy: 'pat@vendor.example', note: 'brought the customer' });
    const view = accountView(step.state);
    expect(view.holder).toMatchObject({ partnerId: 'northwind' });
    expect(view.claims.map((c) => c.status)).toEqual(['rejected', 'held']);
    expect(checkDecision(step.state, { conflictId: 'initech.example#1', winner: 'contoso' })).toMatch(/already decided \(pat@vendor.example\)/);
  });
});

describe('the direct team', () => {
  const owns = (eventId = 'crm-1', rule: ConflictRule = 'first_registration_wins') =>
    ({ eventId, type: 'direct_ownership_claimed' as const, data: { domain: 'initech.example', owner: 'Jordan Lee' }, rule });

  it('owning a free account holds it: a partner registering it later is refused', () => {
    const direct = recordDirectOwnership(initRegistry(ACCOUNT), owns(), T);
    expect(direct.notices).toEqual([]);
    const { answers, notices } = run(direct.state, claim('northwind', 'n-1'));
    expect(answers[0]!.notice).toMatchObject({ outcome: 'rejected', escalate: true, other: { kind: 'direct', owner: 'Jordan Lee' } });
    expect(notices).toEqual([]); // the direct team has no workflow to tell
  });

  it('owning an account a partner holds opens one conflict with that partner, who reports it', () => {
    const held = run(initRegistry(ACCOUNT), claim('contoso', 'c-1'));
    const step = recordDirectOwnership(held.state, owns(), T);
    expect(step.notices).toEqual([{ partnerId: 'contoso', notice: expect.objectContaining({ role: 'holder', outcome: 'kept', escalate: true }) }]);
    // The same ownership again, or a new owner: no second conflict.
    const again = recordDirectOwnership(step.state, owns('crm-2'), T);
    expect(again.notices).toEqual([]);
    expect(recordDirectOwnership(again.state, owns('crm-2'), T).applied).toBe(false);
  });

  it('ending ownership frees the account and decides its open conflicts for the partner', () => {
    const direct = recordDirectOwnership(initRegistry(ACCOUNT), owns('crm-1', 'manager_decides'), T);
    const contested = run(direct.state, claim('northwind', 'n-1', 'manager_decides'));
    expect(contested.answers[0]!.notice).toMatchObject({ outcome: 'awaiting_decision' });
    const ended = recordDirectOwnership(contested.state, { eventId: 'crm-3', type: 'direct_ownership_released', data: { domain: 'initech.example' }, rule: 'manager_decides' }, T);
    expect(ended.notices.map((n) => [n.partnerId, n.notice.outcome, n.notice.decidedBy])).toEqual([['northwind', 'won', 'direct ownership ended']]);
    expect(accountView(ended.state)).toMatchObject({ holder: { partnerId: 'northwind' }, direct: null });
  });
});

describe('releases', () => {
  it('frees the account once its holder holds nothing, so the next registration holds it', () => {
    const held = run(initRegistry(ACCOUNT), claim('contoso', 'c-1'), claim('contoso', 'c-2'));
    const one = releaseClaim(held.state, { partnerId: 'contoso', opportunityId: 'c-1' }, T);
    expect(accountView(one.state).holder).toMatchObject({ partnerId: 'contoso' });
    const both = releaseClaim(one.state, { partnerId: 'contoso', opportunityId: 'c-2' }, T);
    expect(accountView(both.state).holder).toBeNull();
    expect(run(both.state, claim('northwind', 'n-1')).answers[0]!.status).toBe('held');
    // A repeated release changes nothing.
    expect(releaseClaim(both.state, { partnerId: 'contoso', opportunityId: 'c-2' }, T).state).toBe(both.state);
  });

  it("a holder's withdrawal decides its open conflict for the challenger", () => {
    const open = run(initRegistry(ACCOUNT), claim('contoso', 'c-1', 'manager_decides'), claim('northwind', 'n-1', 'manager_decides'));
    const step = releaseClaim(open.state, { partnerId: 'contoso', opportunityId: 'c-1' }, T);
    expect(step.notices.map((n) => [n.partnerId, n.notice.outcome, n.notice.decidedBy])).toEqual([['northwind', 'won', 'registration withdrawn']]);
    expect(accountView(step.state).holder).toMatchObject({ partnerId: 'northwind' });
  });
});

it('keeps its lists bounded over years of registrations', () => {
  let state = initRegistry(ACCOUNT);
  for (let i = 0; i < 700; i++) {
    state = claimAccount(state, claim('contoso', `c-${i}`), T).state;
    state = releaseClaim(state, { partnerId: 'contoso', opportunityId: `c-${i}` }, T).state;
  }
  expect(state.claims.length).toBeLessThanOrEqual(500);
  expect(accountView(state).holder).toBeNull();
});
