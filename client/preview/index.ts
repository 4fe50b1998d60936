/**
 * The journey preview (`onboarding preview`): every message a scripted partner
 * journey sends, rendered exactly as the notification activity renders it, for
 * the people who write the playbook. Also the source of the golden files
 * (test/golden), which hold the plain-text rendition of each journey.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderEmail, renderSlack, type RenderedEmail, type RenderedSlack } from '../../activities/templates';
import type { Message, NotificationRequest } from '../../workflows/notifications';
import type { Playbook } from '../../workflows/playbook';
import { partnerRoles, type Segment } from '../../workflows/types';
import { DAY, HOUR, scriptJourney, type Journey, type JourneyKind, type JourneyOptions } from './journey';
import { Simulation } from './simulation';

export { JOURNEY_KINDS, scriptJourney, type Journey, type JourneyKind } from './journey';
export { Simulation, type Sent, type SimulationOptions } from './simulation';
export { AccountBook } from './accountBook';

export interface PreviewMessage {
  /** 1-based, in sending order. */
  seq: number;
  at: number;
  /** Whole days since the contract. */
  day: number;
  request: NotificationRequest;
  email?: RenderedEmail;
  slack?: RenderedSlack;
}

export interface JourneyPreview {
  journey: Journey;
  messages: PreviewMessage[];
  /** The partner's state at the end. */
  final: ReturnType<Simulation['view']>;
}

/** Runs a scripted journey through the pure domain. */
export function simulate(playbook: Playbook, journey: Journey): Simulation {
  const start = Date.parse(journey.profile.contractSignedAt!);
  const sim = new Simulation(journey.profile, playbook, start);
  const rule = playbook.accountConflicts?.rule ?? 'first_registration_wins';
  for (const event of journey.accountEvents) sim.accounts.direct(event, rule, start);
  for (const { hours, event } of journey.events) {
    sim.until(start + hours * HOUR);
    sim.apply(event);
  }
  return sim.until(start + journey.days * DAY);
}

/**
 * The unsubscribe link as previews show it: each real e-mail carries its
 * recipient's own signed link to the API's PUBLIC_URL (docs/preferences.md).
 */
export const PREVIEW_UNSUBSCRIBE_URL = 'https://onboarding.example.com/unsubscribe?token=SIGNED-FOR-EACH-RECIPIENT';

/** What a request renders to, with the program of the playbook when the request has none. */
export function messageOf(request: NotificationRequest, playbook: Playbook): Message {
  return { ...request, program: request.program ?? playbook.program } as Message;
}

export function previewJourney(playbook: Playbook, segment: Segment, kind: JourneyKind, options: JourneyOptions = {}): JourneyPreview {
  const journey = scriptJourney(playbook, segment, kind, options);
  const sim = simulate(playbook, journey);
  const start = Date.parse(journey.profile.contractSignedAt!);
  const messages = sim.sent.map(({ at, request }, i) => {
    const message = messageOf(request, playbook);
    return {
      seq: i + 1,
      at,
      day: Math.floor((at - start) / DAY),
      request,
      ...(request.channel === 'email'
        ? { email: renderEmail(message, { unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL, essential: request.essential === true }) }
        : { slack: renderSlack(message) }),
    };
  });
  return { journey, messages, final: sim.view() };
}

// ---------------------------------------------------------------------------
// Plain text: what a person reads (golden files, the preview's .txt files)
// ---------------------------------------------------------------------------

function recipients(request: NotificationRequest): string {
  if (request.channel === 'email') return request.to.map((t) => (t.name ? `${t.name} <${t.email}>` : t.email)).join(', ');
  if (request.to.escalation) return 'the escalation channel';
  return request.to.userId ? `${request.to.userId} (${request.to.label})` : `the escalation channel, for ${request.to.label}`;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** Slack mrkdwn as a person reads it: dates by their fallback, links as `label (url)`, entities decoded. */
export function slackAsText(slack: RenderedSlack): string {
  const lines: string[] = [];
  for (const block of slack.blocks) {
    if (block.type === 'header') lines.push(`# ${block.text.text}`);
    if (block.type === 'section' && block.text) lines.push(readMrkdwn(block.text.text));
    if (block.type === 'context') lines.push(`(${block.elements.map((e) => ('text' in e ? readMrkdwn(e.text) : '')).join(' ')})`);
    if (block.type === 'actions') lines.push(`[${block.elements.map((e) => ('text' in e && e.text ? e.text.text : '')).join('] [')}]`);
  }
  return lines.join('\n\n');
}

function readMrkdwn(text: string): string {
  return text
    .replace(/<!date\^\d+\^[^|>]+\|([^>]+)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** One message as plain text, headed by when, how and to whom it goes. */
export function messageText(m: PreviewMessage): string {
  const { request } = m;
  const head = `=== #${m.seq} · day ${m.day}, ${stamp(m.at)} · ${request.channel === 'email' ? 'e-mail' : 'Slack'} to ${recipients(request)} · ${request.kind} (${request.key})`;
  const body = m.email ? `Subject: ${m.email.subject}\n\n${m.email.text.trimEnd()}` : slackAsText(m.slack!);
  return `${head}\n${body}\n`;
}

/** A journey as one text: every message in order. */
export function journeyText(preview: JourneyPreview): string {
  const { journey } = preview;
  const head = [
    `# ${journey.segment} partner, ${journey.kind} journey: ${preview.messages.length} messages over ${journey.days} days`,
    `# ${journey.profile.name} (${journey.profile.partnerId}), ${partnerRoles(journey.profile).join(' + ')}, time zone ${journey.profile.timezone}, contract ${journey.profile.contractSignedAt}`,
    `# ends ${preview.final.phase}, ${preview.final.health}`,
  ];
  return `${head.join('\n')}\n\n${preview.messages.map(messageText).join('\n')}`;
}

// ---------------------------------------------------------------------------
// Files: what `onboarding preview --out DIR` writes
// ---------------------------------------------------------------------------

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** `007-d012-0900-slack-week2_checkin`: sending order, day, UTC time, channel and kind. */
export function fileBase(m: PreviewMessage): string {
  const time = new Date(m.at).toISOString().slice(11, 16).replace(':', '');
  return `${String(m.seq).padStart(3, '0')}-d${String(m.day).padStart(3, '0')}-${time}-${m.request.channel}-${m.request.kind}`;
}

/** Writes one journey's messages and an index page into `dir`; returns the files written. */
export function writeJourney(dir: string, preview: JourneyPreview): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content);
    written.push(path.join(dir, name));
  };
  const rows: string[] = [];
  for (const m of preview.messages) {
    const base = fileBase(m);
    const files: string[] = [];
    if (m.email) {
      write(`${base}.html`, m.email.html);
      write(`${base}.txt`, `Subject: ${m.email.subject}\n\n${m.email.text}`);
      files.push(`${base}.html`, `${base}.txt`);
    } else {
      write(`${base}.json`, `${JSON.stringify({ text: m.slack!.text, blocks: m.slack!.blocks }, null, 2)}\n`);
      write(`${base}.txt`, `${slackAsText(m.slack!)}\n`);
      files.push(`${base}.json`, `${base}.txt`);
    }
    const title = m.email ? m.email.subject : (m.slack!.blocks[0] as { text: { text: string } }).text.text;
    rows.push(
      `<tr><td>${m.seq}</td><td>${m.day}</td><td>${escape(stamp(m.at))}</td><td>${m.request.channel}</td>` +
        `<td>${escape(recipients(m.request))}</td><td><code>${m.request.kind}</code></td><td>${escape(title)}</td>` +
        `<td>${files.map((f) => `<a href="${escape(f)}">${escape(path.extname(f).slice(1))}</a>`).join(' ')}</td></tr>`,
    );
  }
  const { journey, final } = preview;
  write(
    'index.html',
    [
      '<!doctype html><html lang="en"><head><meta charset="utf-8">',
      `<title>${escape(`${journey.segment} ${journey.kind} journey`)}</title>`,
      '<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse}td,th{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}</style>',
      '</head><body>',
      `<h1>${escape(`${journey.segment} partner: ${journey.kind} journey`)}</h1>`,
      `<p>${preview.messages.length} messages over ${journey.days} days. Ends in phase <strong>${escape(final.phase)}</strong>, health <strong>${escape(final.health)}</strong>.</p>`,
      '<table><thead><tr><th>#</th><th>Day</th><th>Sent (UTC)</th><th>Channel</th><th>To</th><th>Kind</th><th>Subject / title</th><th>Files</th></tr></thead><tbody>',
      ...rows,
      '</tbody></table></body></html>',
      '',
    ].join('\n'),
  );
  write('journey.txt', journeyText(preview));
  return written;
}

/** Writes the journeys of a segment under `out/<segment>-<kind>/` and a top index; returns the journey folders. */
export function writePreview(out: string, previews: JourneyPreview[]): string[] {
  const folders = previews.map((p) => {
    const folder = path.join(out, `${p.journey.segment}-${p.journey.kind}`);
    writeJourney(folder, p);
    return folder;
  });
  const items = previews.map(
    (p, i) =>
      `<li><a href="${escape(path.basename(folders[i]!))}/index.html">${escape(`${p.journey.segment}: ${p.journey.kind} journey`)}</a> (${p.messages.length} messages)</li>`,
  );
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Journey preview</title></head><body><h1>Journey preview</h1><ul>\n${items.join('\n')}\n</ul></body></html>\n`,
  );
  return folders;
}
