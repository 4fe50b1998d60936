/**
 * The `recipientPreferences` workflow's contract, shared by the workflow, the
 * client and the tests (no side effects: safe in the workflow bundle).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PreferencesChange, PreferencesView } from './preferences';

export const PREFERENCES_WORKFLOW_TYPE = 'recipientPreferences';

/** Validated by the workflow (a refused change leaves no history); answers the preferences after it. */
export const setPreferencesUpdate = defineUpdate<PreferencesView, [PreferencesChange]>('setPreferences');
export const preferencesQuery = defineQuery<PreferencesView>('preferences');

/** The memo key holding the current preferences: the notification activity reads it with DescribeWorkflowExecution. */
export const PREFERENCES_MEMO_KEY = 'preferences';

/** Start input: the recipient's id only (never the address). */
export interface RecipientPreferencesInput {
  recipientId: string;
  /** Carried over by continue-as-new. */
  carried?: PreferencesView;
}

/**
 * Business key -> workflow id. `recipientId` is the hash of the address
 * (client/preferences/recipients.ts): the address never appears in ids or logs.
 */
export function preferencesWorkflowId(recipientId: string): string {
  return `preferences-${recipientId}`;
}
