/**
 * One published playbook version: a long-lived workflow, `playbook-<version>`,
 * whose start input holds the content. It waits forever and costs nothing after
 * its start (no timer, no activity). Running workflows stay, where a completed
 * one would vanish after the namespace's retention; every API and worker
 * instance reads the same versions from Temporal (a list from visibility, the
 * content from the start event), and Temporal's one-running-workflow-per-id
 * makes publishing race-free (client/playbooks.ts).
 */
import { condition } from '@temporalio/workflow';
import type { Playbook } from './playbook';

export interface PlaybookVersionInput {
  playbook: Playbook;
  /** sha256 of the playbook's canonical JSON. */
  hash: string;
  publishedAt: string;
  publishedBy?: string;
}

/** Waits until cancelled or terminated: retiring a version is an operator's explicit act. */
export async function playbookVersion(_input: PlaybookVersionInput): Promise<void> {
  await condition(() => false);
}
