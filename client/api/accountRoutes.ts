/**
 * The account registry's routes: the CRM tells us which accounts the direct
 * team owns; managers look an account up and decide its conflicts
 * (docs/accounts.md). Each account is one `accountRegistry` workflow; these
 * routes reach it by update-with-start (events), query (state) and Update
 * (decisions), never by scanning partners.
 */
import { z } from 'zod';
import { AccountEvent, ConflictDecision } from '../../workflows/accounts/schema';
import { defineRoute, type ApiRoute } from './route';
import { parseOrThrow } from './validation';

const AccountParam = z.object({
  account: z
    .string()
    .min(1)
    .max(253)
    .describe('the account key from a conflict or an opportunity (`initech.example`, `initech`), or a domain or name to look up'),
});

const NO_ACCOUNT = { description: 'nobody registered this account and the CRM never named it', schema: 'ApiError' } as const;

export const ACCOUNT_ROUTES: ApiRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/accounts/events',
    operationId: 'sendAccountEvent',
    summary: "The CRM: the direct team owns an account, or no longer does",
    description:
      'direct_ownership_claimed makes the direct team the holder of a free account; on an account a partner holds it opens ' +
      'a conflict, decided by the playbook rule. direct_ownership_released frees the account and decides its open conflicts ' +
      'for the partners. A repeated eventId is ignored. Authenticate with a system key, or sign the body.',
    access: { roles: ['system'], webhook: true },
    body: 'AccountEvent',
    parseBody: (raw) => parseOrThrow(AccountEvent, raw),
    responses: { 200: { description: "the account's state after the event", schema: 'AccountState' } },
    handle: async ({ body }, { accounts }) => ({ status: 200, body: await accounts.recordEvent(body) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/accounts/{account}',
    operationId: 'getAccount',
    summary: 'Who holds an account: every registration of it and every conflict',
    access: { roles: ['manager'] },
    params: AccountParam,
    responses: { 200: { description: "the account's state", schema: 'AccountState' }, 404: NO_ACCOUNT },
    handle: async ({ params }, { accounts }) => ({ status: 200, body: await accounts.state(params.account) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/accounts/{account}/decisions',
    operationId: 'decideAccountConflict',
    summary: 'Decide an open conflict: which side keeps the account',
    description:
      'For playbooks whose accountConflicts.rule is manager_decides. Run as the account registry\'s Update ' +
      'decideAccountConflict: 200 with the account\'s state; 409 with the reason when the conflict is not open or the ' +
      'winner is not one of its sides, and then nothing is written. Both partners\' managers and the partners hear the outcome.',
    access: { roles: ['manager', 'ops'] },
    params: AccountParam,
    body: 'ConflictDecision',
    parseBody: (raw) => parseOrThrow(ConflictDecision, raw),
    responses: {
      200: { description: "the account's state after the decision", schema: 'AccountState' },
      404: NO_ACCOUNT,
      409: { description: 'the registry refused the decision, with the reason', schema: 'ApiError' },
    },
    handle: async ({ params, body }, { accounts }) => ({ status: 200, body: await accounts.decide(params.account, body) }),
  }),
];
