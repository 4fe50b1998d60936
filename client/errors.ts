/**
 * What the typed client throws besides Temporal's own errors. The API maps each
 * to one HTTP status; the CLI maps those statuses to exit codes.
 */
import { isGrpcServiceError } from '@temporalio/client';
import type { FieldError } from '../workflows/types';

/** No onboarding runs (or ever ran) for this partner, or it has closed. */
export class PartnerNotFoundError extends Error {
  override name = 'PartnerNotFoundError';
  constructor(readonly partnerId: string, detail = 'no live onboarding') {
    super(`${detail} for partner ${partnerId}`);
  }
}

/** A different profile is already onboarding under this partnerId. */
export class ProfileConflictError extends Error {
  override name = 'ProfileConflictError';
  constructor(readonly partnerId: string) {
    super(`partner ${partnerId} is already onboarding with a different profile`);
  }
}

/** A request the workflow refused (its Update validator), with the workflow's reason: nothing was written. */
export class UpdateRefusedError extends Error {
  override name = 'UpdateRefusedError';
  constructor(readonly partnerId: string, readonly reason: string) {
    super(reason);
  }
}

/** No playbook is published under this version id (or it was retired). */
export class PlaybookNotFoundError extends Error {
  override name = 'PlaybookNotFoundError';
  constructor(readonly version: string) {
    super(`no published playbook version ${version}`);
  }
}

/** A different content under a version id that is already published. */
export class PlaybookConflictError extends Error {
  override name = 'PlaybookConflictError';
  constructor(
    readonly version: string,
    readonly publishedHash: string,
    readonly attemptedHash: string,
  ) {
    super(
      `playbook version ${version} is already published with other content (sha256 ${publishedHash.slice(0, 12)}); ` +
        'publish the changed playbook under a new version',
    );
  }
}

/** A well-formed page token that names no page of this listing (other filters, or unknown to Temporal). */
/**
 * The report's projection is still listing every partner (the first start of a
 * deployment: nothing stored to start from). The API answers 503 with
 * Retry-After instead of holding the request for the whole listing.
 */
export class ReportWarmingUpError extends Error {
  constructor(readonly listed: number) {
    super(`the report is being built: ${listed.toLocaleString('en-US')} partners listed from Temporal so far; try again in a few seconds`);
    this.name = 'ReportWarmingUpError';
  }
}

export class PageNotFoundError extends Error {
  override name = 'PageNotFoundError';
  constructor(detail: string) {
    super(`no such page: ${detail}; start again from the first page`);
  }
}

/** Input that fails validation, with one entry per invalid field. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
  }
}

/** The gRPC status code of a Temporal RPC failure (on the error or its cause), if any. */
export function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  const cause = err instanceof Error ? err.cause : undefined;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}
