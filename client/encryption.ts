/**
 * Payload encryption: a PayloadCodec with AES-256-GCM (node:crypto), set by
 * PAYLOAD_ENCRYPTION_KEYS on every client and worker. It runs in the client and
 * worker processes only, never in the workflow bundle: workflow code sees
 * plaintext, the Temporal server and its database see ciphertext.
 *
 * Each encrypted payload is a whole serialized Payload (its metadata and data),
 * sealed under one key:
 *
 *   metadata: encoding = binary/encrypted, encryption-key-id = <id>, encryption-cipher = AES-256-GCM
 *   data:     12-byte IV | ciphertext | 16-byte GCM tag   (the key id is authenticated too)
 *
 * Rotation: the first key encrypts, every listed key decrypts, so a new key goes
 * first and an old one stays listed until no open history holds its payloads.
 * A payload that is not encrypted passes through, so turning encryption on for
 * running partners works (their earlier events stay readable).
 *
 * What the codec does not cover: search attributes (OnboardingPhase,
 * PartnerSegment, PartnerManager, OnboardingHealth), workflow ids, types and
 * task queues, timer and activity ids. See docs/operations.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config, EncryptionKey } from '../config/env';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

/** A payload this codec cannot open: names the key id (never the key) and what to do. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`encryption key "${k.id}" must be 32 bytes`);
    }
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.open(payload));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id), [CIPHER_METADATA]: utf8(CIPHER) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA}`);
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(`a payload is encrypted with key "${id}", which is not in PAYLOAD_ENCRYPTION_KEYS (add it back to read it)`);
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted payload (key "${id}") is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      const decoded = temporal.api.common.v1.Payload.decode(plain);
      return { metadata: decoded.metadata, data: decoded.data };
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key "${id}" does not decrypt: it was altered, or PAYLOAD_ENCRYPTION_KEYS has a different key under that id`,
      );
    }
  }
}

/** The codec of a configuration, or none when PAYLOAD_ENCRYPTION_KEYS is unset. */
export function payloadCodec(config: Pick<Config, 'encryption'>): AesGcmPayloadCodec | undefined {
  return config.encryption.keys.length ? new AesGcmPayloadCodec(config.encryption.keys) : undefined;
}

/**
 * Failures carry their message and stack trace in an encoded payload, so the
 * codec covers them too (an SMTP error quotes the address it refused).
 */
export const FAILURE_CONVERTER_PATH = require.resolve('../workflows/failureConverter');

/**
 * The data converter of every client and worker: the codec and the encoding
 * failure converter with encryption on; the SDK's defaults without it.
 */
export function dataConverter(config: Pick<Config, 'encryption'>): DataConverter | undefined {
  const codec = payloadCodec(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
}
