/**
 * The failure converter used with payload encryption (client/encryption.ts):
 * a failure's message and stack trace move into its encoded attributes, a
 * payload, so the codec encrypts them ("Encoded failure" is what stays in
 * plaintext). Loaded by the worker and the clients through
 * `dataConverter.failureConverterPath`, and bundled into the workflow code by
 * the same path, so it may only import what workflow code may.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
