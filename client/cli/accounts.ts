/** The account registry from the command line: who holds an account, and a manager's decision on a conflict. */
import type { AccountState, PartyRef } from '../../workflows/accounts/schema';
import { stringOption, usageError, type Command } from './command';
import { fields, table, when } from './format';

const accountPath = (account: string, rest = '') => `/v1/accounts/${encodeURIComponent(account)}${rest}`;

function side(p: PartyRef | null): string {
  if (!p) return 'nobody';
  return p.kind === 'direct' ? `direct team (${p.owner})` : `${p.name} (${p.partnerId}): ${p.opportunityIds.join(', ')}`;
}

function renderAccount(a: AccountState): string {
  const sections = [
    fields([
      ['account', `${a.account.label} (${a.account.by} key ${a.account.key})`],
      ['held by', side(a.holder)],
      ['direct team', a.direct ? `${a.direct.owner} since ${when(a.direct.since)}` : null],
    ]),
  ];
  if (a.claims.length) {
    sections.push(table(['partner', 'opportunity', 'registered', 'status', 'conflict'], a.claims.map((c) => [c.partnerId, c.opportunityId, when(c.registeredAt), c.status, c.conflictId])));
  }
  if (a.conflicts.length) {
    sections.push(
      table(
        ['conflict', 'rule', 'status', 'holder', 'challenger', 'winner', 'decided by'],
        a.conflicts.map((c) => [c.conflictId, c.rule, c.status, side(c.holder), side(c.challenger), c.winner, c.decidedBy]),
      ),
    );
  }
  return sections.join('\n\n');
}

export const account: Command = {
  name: 'account',
  summary: 'Who holds an account (a domain, a name or the key from a conflict), its registrations and conflicts.',
  args: ['<account>'],
  options: {},
  async run({ positionals: [name] }, { api, json, out }) {
    const state = await api.request<AccountState>('GET', accountPath(name!));
    out(json ? JSON.stringify(state, null, 2) : renderAccount(state));
  },
};

export const resolve: Command = {
  name: 'resolve',
  summary: 'Decide an open account conflict (playbooks where a manager decides): which side keeps the account.',
  args: ['<conflictId>'],
  options: {
    winner: { type: 'string', value: 'partnerId|direct', description: 'the side that keeps the account' },
    by: { type: 'string', value: 'name', description: 'who decided' },
    note: { type: 'string', value: 'text', description: 'why' },
  },
  async run({ values, positionals: [conflictId] }, { api, json, out }) {
    const winner = stringOption(values, 'winner');
    if (!winner) throw usageError('--winner is required: the partnerId that keeps the account, or direct');
    const at = conflictId!.lastIndexOf('#');
    if (at <= 0) throw usageError('a conflict id reads <account>#<n>, e.g. initech.example#1');
    const body = { conflictId, winner, by: stringOption(values, 'by'), note: stringOption(values, 'note') };
    const state = await api.request<AccountState>('POST', accountPath(conflictId!.slice(0, at), '/decisions'), body);
    out(json ? JSON.stringify(state, null, 2) : renderAccount(state));
  },
};
