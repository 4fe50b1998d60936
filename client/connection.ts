/**
 * Connections to Temporal from the validated Config: a plain local server, a
 * TLS cluster (client certificate), or Temporal Cloud (API key over TLS).
 * `connectClient` is for the API and the typed client, `connectNative` for workers.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/env';

interface CommonConnectionOptions {
  address: string;
  tls?: true | { clientCertPair: { crt: Buffer; key: Buffer } };
  apiKey?: string;
  metadata?: Record<string, string>;
}

function readPem(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function connectionOptions(config: Config, address: string): CommonConnectionOptions {
  const { tls, apiKey, namespace } = config.temporal;
  const options: CommonConnectionOptions = { address };
  if (tls) {
    options.tls = {
      clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT', tls.certPath), key: readPem('TEMPORAL_TLS_KEY', tls.keyPath) },
    };
  }
  if (apiKey) {
    options.tls ??= true;
    options.apiKey = apiKey;
    // Temporal Cloud routes API-key requests on regional endpoints by this header.
    options.metadata = { 'temporal-namespace': namespace };
  }
  return options;
}

function resolveAddress(config: Config, address: string | undefined): string {
  const resolved = address ?? config.temporal.address;
  if (!resolved) throw new Error('TEMPORAL_ADDRESS: required to connect to Temporal');
  return resolved;
}

/** A Client for the configured namespace; close it with `client.connection.close()`. */
export async function connectClient(config: Config, address?: string): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config, resolveAddress(config, address)));
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** A NativeConnection for workers. */
export function connectNative(config: Config, address?: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config, resolveAddress(config, address)));
}
