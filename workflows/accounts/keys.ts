/**
 * Which account a registration is for: its registry key. Two registrations are
 * for the same account when their keys are equal:
 *
 * - by domain when the registration names one (`https://www.Initech.example/about`
 *   -> `initech.example`): scheme, path, port, a leading `www.` and case do not count;
 * - else by the account's name, normalised (`Initech, Inc.` and `initech inc` ->
 *   `initech`): case, accents, punctuation and legal suffixes (Inc, GmbH, Ltd,
 *   S.A., GmbH & Co. KG, ...) do not count.
 *
 * A domain key always holds a dot and a name key never does, so the two never
 * collide. Pure and deterministic (no locale, no Node built-ins): the workflow
 * domain, the account registry workflow, the API and the tests share it.
 */

/** Legal-form words that do not tell two companies apart ("Initech Inc" is "Initech"). */
const LEGAL_FORMS = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'cie', 'llc', 'llp', 'lp', 'ltd', 'limited', 'plc',
  'gmbh', 'mbh', 'ag', 'kg', 'kgaa', 'ohg', 'ug', 'ev', 'se', 'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'bv', 'nv',
  'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'pty', 'pte', 'kk', 'sro', 'ltda', 'lda', 'zoo',
]);

const HOSTNAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export type AccountKeyKind = 'domain' | 'name';

export interface AccountKey {
  /** The registry key: `initech.example` (domain) or `initech` (name). */
  key: string;
  by: AccountKeyKind;
  /** How people read it: the domain, or the name as first given. */
  label: string;
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const TLD = '[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]';

/**
 * What the API accepts as a domain (declared as is in /openapi.json): a host name
 * with a dot, optionally written as a URL (scheme, user, port, path) or an e-mail
 * address. Printable ASCII only, no spaces. Every string it matches has a
 * registry key (`normaliseDomain` is never null for it).
 *
 * Exported as its source, not as a RegExp: workflows share this module frozen
 * (./shared.ts), and zod resets `lastIndex` on the RegExps it tests with, which a
 * frozen RegExp refuses. Each schema builds its own from the source.
 */
export const DOMAIN_PATTERN_SOURCE = `^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[A-Za-z0-9._%+-]+@)?(?:${LABEL}\\.)+${TLD}\\.?(?::[0-9]{1,5})?(?:[/?#][!-~]*)?$`;

/** `https://www.Initech.example:443/about` -> `initech.example`; null when it is not a host name with a dot. */
export function normaliseDomain(input: string): string | null {
  let d = input.trim().toLowerCase();
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  d = d.split(/[/?#]/)[0] ?? '';
  d = d.replace(/^[^@]*@/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  // `www.` does not tell two sites apart, unless it is all there is before the top-level domain (`www.example`).
  const bare = d.replace(/^www\d*\./, '');
  if (bare.includes('.')) d = bare;
  return HOSTNAME.test(d) ? d : null;
}

/** `Initech, Inc.` -> `initech`; `Smith & Co. KG` -> `smith`; null when nothing is left to compare. */
export function normaliseName(input: string): string | null {
  const words = input
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'’]/g, '') // S.A. -> sa, O'Neil -> oneil
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (!words.length) return null;
  const core = [...words];
  if (core.length > 1 && core[0] === 'the') core.shift();
  // Trailing legal forms, and the "and" of "& Co.": never down to nothing.
  while (core.length > 1 && (LEGAL_FORMS.has(core[core.length - 1]!) || core[core.length - 1] === 'and')) core.pop();
  return core.join('-');
}

/**
 * The registry key of a registration: by `domain` when given and valid (or when
 * the account name is itself a host name), else by the `account` name; null when neither identifies an account (the registration
 * then never goes to the registry).
 */
export function accountKey(input: { account?: string; domain?: string }): AccountKey | null {
  // An account named by its host name (`initech.example`) is matched by domain too.
  const domain = [input.domain, input.account].map((d) => (d === undefined ? null : normaliseDomain(d))).find((d) => d !== null);
  if (domain) return { key: domain, by: 'domain', label: domain };
  const name = input.account === undefined ? null : normaliseName(input.account);
  return name ? { key: name, by: 'name', label: input.account!.trim() } : null;
}

/** The key for what a person typed (an API path, a CLI argument): a host name is a domain, anything else a name. Keys map to themselves. */
export function accountKeyOf(text: string): AccountKey | null {
  return accountKey({ account: text });
}
