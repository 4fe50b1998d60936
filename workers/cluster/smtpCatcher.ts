/**
 * A real SMTP server on loopback that accepts every message and keeps it: the
 * cluster's mail catcher (Mailpit's role in docker-compose.yml). Each message
 * is written to `<dir>/<n>-<sha of Message-ID>.eml` and listed in `messages`.
 * It can be stopped and started again on the same port (the chaos run's SMTP outage).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  messageId: string;
  to: string[];
  subject: string;
  at: string;
  file?: string;
}

export class SmtpCatcher {
  readonly messages: CaughtMail[] = [];
  /** Called for each message caught. */
  onMail?: (mail: CaughtMail) => void;
  private server?: SMTPServer;
  private port_ = 0;

  constructor(private readonly dir?: string) {}

  get port(): number {
    return this.port_;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port_}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** On `port`, or a free one the first time; a restart reuses the port. */
  async start(port = this.port_): Promise<void> {
    if (this.server) return;
    if (this.dir) fs.mkdirSync(this.dir, { recursive: true });
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      banner: 'partner-onboarding mail catcher',
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const head = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
          const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
          const mail: CaughtMail = {
            messageId: header('message-id'),
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: header('subject'),
            at: new Date().toISOString(),
          };
          if (this.dir) {
            const name = `${String(this.messages.length + 1).padStart(6, '0')}-${createHash('sha256').update(mail.messageId).digest('hex').slice(0, 12)}.eml`;
            mail.file = path.join(this.dir, name);
            fs.writeFileSync(mail.file, raw);
          }
          this.messages.push(mail);
          this.onMail?.(mail);
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined); // a client that vanished mid-session
    this.port_ = (server.server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open sessions: senders see connection refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Sessions still open are cut, as a crashed mail server would.
      for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections ?? []) connection.close();
    });
  }
}
