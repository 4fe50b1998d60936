/** The workflow bundle's entry point: every workflow the worker registers. */
export { partnerOnboarding } from './partnerOnboarding';
export type { OnboardingOptions } from './partnerOnboarding';
export { weeklyDigest } from './weeklyDigest';
export type { WeeklyDigestInput, WeeklyDigestResult } from './weeklyDigest';
export { playbookVersion } from './playbookVersion';
export type { PlaybookVersionInput } from './playbookVersion';
export { recipientPreferences } from './recipientPreferences';
export { accountRegistry } from './accountRegistry';
export type { AccountRegistryInput } from './accountRegistry';
export { managerDigests } from './managerDigests';
export type { ManagerDigestsInput } from './managerDigests';
