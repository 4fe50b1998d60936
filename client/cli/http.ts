/**
 * The CLI talks to the HTTP API (never to Temporal directly), with global fetch.
 * HTTP failures become CliErrors with the exit code for their status.
 */
import { CliError, EXIT, type ExitCode } from './errors';

function exitCodeFor(status: number): ExitCode {
  if (status === 400) return EXIT.validation;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.server;
}

interface ErrorBody {
  error?: string;
  message?: string;
  fields?: { field: string; message: string }[];
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new CliError(EXIT.server, `cannot reach the API at ${this.baseUrl} (${cause}); is it running? (ONBOARDING_API_URL)`);
    }
    const text = await response.text();
    const parsed = parseBody(text);
    if (response.ok) return parsed as T;
    const error = (parsed ?? {}) as ErrorBody;
    throw new CliError(
      exitCodeFor(response.status),
      `${response.status} ${error.error ?? response.statusText}: ${error.message ?? text.slice(0, 200)}`,
      (error.fields ?? []).map((f) => `${f.field}: ${f.message}`),
    );
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
