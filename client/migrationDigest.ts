/**
 * Fingerprints of playbook migrations: a partner's dry run and its applied
 * migration match when their diff digests do, and a whole migration matches its
 * dry run when the plan digests do. Shared by the API and the CLI.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../workflows/domain/migrate';
import type { MigrationDiff } from '../workflows/migration';
import type { MigrationResult } from './apiTypes';

/** 16 hex digits of the sha256 of the diff's canonical JSON. */
export function diffDigest(diff: MigrationDiff): string {
  return createHash('sha256').update(canonicalJson(diff)).digest('hex').slice(0, 16);
}

/** The same partners with the same diffs (or the same outcome when there is no diff) give the same digest. */
export function planDigest(results: readonly Pick<MigrationResult, 'partnerId' | 'outcome' | 'digest'>[]): string {
  const lines = results.map((r) => `${r.partnerId} ${r.digest ?? r.outcome}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}
