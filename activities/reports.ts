/**
 * The report activity of the weekly digest: `buildProgramDigest` returns the
 * program's digest as of the digest's moment, read by the function the worker
 * passes in (client/reports/digest.ts reads it from Temporal visibility). The
 * result is plain JSON: it goes into the workflow history and becomes the
 * notification's data.
 */
import type { ProgramDigest } from '../workflows/notifications';

export interface ReportActivityDeps {
  readDigest(asOf: string): Promise<ProgramDigest>;
}

export function createReportActivities({ readDigest }: ReportActivityDeps) {
  /** The whole program's digest as of `asOf`. */
  async function buildProgramDigest({ asOf }: { asOf: string }): Promise<ProgramDigest> {
    return readDigest(asOf);
  }
  return { buildProgramDigest };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
