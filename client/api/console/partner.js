// @ts-check
/**
 * One partner: where it stands, the checkpoint decision and waivers (both run
 * as workflow Updates: the answer is the new state or the reason it was
 * refused), milestones by phase, opportunities with their SLA clocks,
 * checkpoints with their gaps, the notifications sent and the timeline.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, session } from './api.js';
import { PHASES, day, label, slaClock, when } from './format.js';
import { ErrorNote, HealthMark, PageTitle, html } from './ui.js';

/** @typedef {import('./api.js').OnboardingState} State */
/** @typedef {State['milestones'][number]} Milestone */
/** @typedef {import('./api.js').TimelineEntry} Entry */

const EXTEND_DAYS = 14;

/** @param {unknown} err */
const refusal = (err) => (err instanceof ApiError && err.status === 409 ? new Error(`Refused: ${err.message}`) : err);

/** @param {State} s @param {string} decision @param {string} by */
function outcomeText(s, decision, by) {
  const who = by ? ` by ${by}` : '';
  if (decision === 'offboard') return `Offboarded${who}.`;
  const deadline = s.phaseDeadline ? ` The ${s.phase} phase now ends ${when(s.phaseDeadline)}.` : '';
  if (decision === 'extend') return `Extended by ${EXTEND_DAYS} days${who}.${deadline}`;
  return `Advanced to ${s.phase}${who}.${deadline}`;
}

/** @param {{ state: State, onDecided: (s: State, message: string) => void }} props */
function DecisionPanel({ state, onDecided }) {
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [busy, setBusy] = useState(false);
  const checkpoint = state.checkpoints.find((c) => c.outcome === 'pending');
  if (!state.awaitingDecision || !checkpoint) return null;
  // What still holds the phase up now (the checkpoint lists what was missing when it opened).
  const missing = state.milestones.filter((m) => m.phase === checkpoint.phase && m.required && (m.status === 'pending' || m.status === 'overdue'));
  const next = PHASES[PHASES.indexOf(/** @type {any} */ (checkpoint.phase)) + 1];

  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    const form = /** @type {HTMLFormElement} */ (e.currentTarget);
    const decision = /** @type {HTMLButtonElement | null} */ (e.submitter)?.value ?? '';
    const note = String(new FormData(form).get('note') ?? '').trim();
    if (decision === 'offboard' && !confirm(`Offboard ${state.name}? Onboarding ends for this partner.`)) return;
    setBusy(true);
    setError(null);
    try {
      const by = session.name();
      const body = { decision, phase: checkpoint.phase, note, by, ...(decision === 'extend' ? { days: EXTEND_DAYS } : {}) };
      const after = await api.decide(state.partnerId, body);
      form.reset();
      onDecided(after, outcomeText(after, decision, by));
    } catch (err) {
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="decision" aria-labelledby="decision-title">
      <h2 id="decision-title">The ${checkpoint.phase} checkpoint awaits your decision</h2>
      <p>The phase ended ${when(checkpoint.dueAt)} with required milestones missing. Still missing:</p>
      <ul>${missing.map((m) => html`<li>${m.title}${m.status === 'overdue' ? html` <mark class="status status-overdue">overdue since ${day(m.dueAt)}</mark>` : ''}</li>`)}</ul>
      <form onSubmit=${submit}>
        <label>Reason for the decision <textarea name="note" required maxlength="2000" rows="2" placeholder="e.g. training booked for next week"></textarea></label>
        <div class="actions" role="group" aria-label="Decision">
          ${next && html`<button type="submit" name="decision" value="advance" disabled=${busy}>Advance to ${next}</button>`}
          <button type="submit" name="decision" value="extend" disabled=${busy}>Extend ${EXTEND_DAYS} days</button>
          <button type="submit" name="decision" value="offboard" class="secondary" disabled=${busy}>Offboard</button>
        </div>
      </form>
      <${ErrorNote} error=${error} />
    </section>`;
}

/** @param {{ partnerId: string, milestone: Milestone | null, onClose: () => void, onWaived: (s: State, message: string) => void }} props */
function WaiverDialog({ partnerId, milestone, onClose, onWaived }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (milestone && !dialog.open) dialog.showModal();
    if (!milestone && dialog.open) dialog.close();
    setError(null);
  }, [milestone]);

  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!milestone) return;
    const form = /** @type {HTMLFormElement} */ (e.currentTarget);
    const reason = String(new FormData(form).get('reason') ?? '').trim();
    setBusy(true);
    try {
      const by = session.name();
      const after = await api.waive(partnerId, { milestoneId: milestone.id, reason, by });
      form.reset();
      onWaived(after, `Waived “${milestone.title}”${by ? ` by ${by}` : ''}.`);
    } catch (err) {
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <dialog ref=${ref} onClose=${onClose} aria-labelledby="waive-title">
      <article>
        <h2 id="waive-title">Waive “${milestone?.title ?? ''}”</h2>
        <p>A waived milestone counts as done for this partner only; a required one no longer holds up its checkpoint.</p>
        <form onSubmit=${submit}>
          <label>Reason for the waiver <textarea name="reason" required maxlength="500" rows="3"></textarea></label>
          <${ErrorNote} error=${error} />
          <footer>
            <button type="button" class="secondary" onClick=${onClose}>Cancel</button>
            <button type="submit" aria-busy=${busy}>Waive milestone</button>
          </footer>
        </form>
      </article>
    </dialog>`;
}

/** @param {{ status: string }} props */
function MilestoneStatus({ status }) {
  return html`<mark class=${`status status-${status}`}>${status === 'overdue' ? 'Overdue' : label(status)}</mark>`;
}

/** @param {{ state: State, onWaive: (m: Milestone) => void }} props */
function Milestones({ state, onWaive }) {
  const finished = state.phase === 'offboarded';
  return html`
    <section aria-labelledby="milestones-title">
      <h2 id="milestones-title">Milestones by phase</h2>
      ${PHASES.map((phase) => {
        const list = state.milestones.filter((m) => m.phase === phase);
        if (!list.length) return null;
        const overdue = list.filter((m) => m.status === 'overdue').length;
        return html`
          <table class="milestones">
            <caption>${label(phase)}${phase === state.phase ? ' (current phase)' : ''}${overdue ? ` – ${overdue} overdue` : ''}</caption>
            <thead>
              <tr><th scope="col">Milestone</th><th scope="col">Owner</th><th scope="col">Required</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Completed</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              ${list.map(
                (m) => html`<tr class=${m.status === 'overdue' ? 'overdue' : ''}>
                  <th scope="row">${m.title}<br /><small class="muted">${m.id}</small></th>
                  <td>${label(m.owner)}</td>
                  <td>${m.required ? 'Required' : 'Optional'}</td>
                  <td>${day(m.dueAt)}</td>
                  <td><${MilestoneStatus} status=${m.status} />${m.waivedReason ? html`<br /><small>${m.waivedReason}</small>` : ''}</td>
                  <td>${day(m.completedAt)}</td>
                  <td>
                    ${(m.status === 'pending' || m.status === 'overdue') && !finished
                      ? html`<button class="outline small" onClick=${() => onWaive(m)} aria-label=${`Waive ${m.title}`}>Waive…</button>`
                      : ''}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`;
      })}
    </section>`;
}

/** @param {{ state: State }} props */
function Opportunities({ state }) {
  const now = Date.now();
  return html`
    <section aria-labelledby="opps-title">
      <h2 id="opps-title">Opportunities</h2>
      ${state.opportunities.length === 0
        ? html`<p class="muted">No opportunity yet.</p>`
        : html`<table>
            <caption>Registered opportunities must be answered within the response SLA</caption>
            <thead><tr><th scope="col">Opportunity</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Registered</th><th scope="col">SLA clock</th></tr></thead>
            <tbody>
              ${state.opportunities.map((o) => {
                const clock = slaClock(o, now);
                return html`<tr>
                  <th scope="row">${o.account ?? o.opportunityId}<br /><small class="muted">${o.opportunityId}</small></th>
                  <td>${label(o.status)}</td>
                  <td>${o.amount === undefined ? '–' : o.amount.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })}</td>
                  <td>${when(o.registeredAt)}</td>
                  <td><mark class=${`sla sla-${clock.tone}`}>${clock.text}</mark>${o.slaDueAt ? html`<br /><small>due ${when(o.slaDueAt)}</small>` : ''}</td>
                </tr>`;
              })}
            </tbody>
          </table>`}
    </section>`;
}

/** @param {{ state: State }} props */
function Checkpoints({ state }) {
  const titles = new Map(state.milestones.map((m) => [m.id, m.title]));
  return html`
    <section aria-labelledby="checkpoints-title">
      <h2 id="checkpoints-title">Checkpoints</h2>
      ${state.checkpoints.length === 0
        ? html`<p class="muted">No checkpoint yet: the first comes at the end of the foundation phase.</p>`
        : html`<table>
            <thead><tr><th scope="col">Phase</th><th scope="col">Due</th><th scope="col">Outcome</th><th scope="col">Gaps when it opened</th><th scope="col">Decided</th></tr></thead>
            <tbody>
              ${state.checkpoints.map(
                (c) => html`<tr>
                  <th scope="row">${label(c.phase)}</th>
                  <td>${when(c.dueAt)}</td>
                  <td>${c.outcome === 'pending' ? html`<mark class="status status-overdue">Awaiting decision</mark>` : label(c.outcome)}</td>
                  <td>${c.gaps.length ? html`<ul>${c.gaps.map((g) => html`<li>${titles.get(g) ?? g}</li>`)}</ul>` : 'None'}</td>
                  <td>${c.decidedAt ? `${when(c.decidedAt)}${c.decidedBy ? ` by ${c.decidedBy}` : ''}` : '–'}${c.note ? html`<br /><small>${c.note}</small>` : ''}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
}

/** @param {{ state: State }} props */
function Notifications({ state }) {
  const sent = [...state.notifications].reverse();
  return html`
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications sent</h2>
      ${sent.length === 0
        ? html`<p class="muted">None yet.</p>`
        : html`<table>
            <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Status</th></tr></thead>
            <tbody>
              ${sent.map(
                (n) => html`<tr>
                  <td>${when(n.at)}</td>
                  <td>${label(n.kind)}</td>
                  <td>${n.channel === 'email' ? 'E-mail' : 'Slack'}</td>
                  <td>${n.to}</td>
                  <td>${n.status === 'failed' ? html`<mark class="status status-overdue">Failed</mark> <small>${n.error ?? ''}</small>` : 'Sent'}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
}

/** @param {Entry} e */
function describe(e) {
  switch (e.kind) {
    case 'started':
      return 'Onboarding started';
    case 'event': {
      const what = `${label(e.type ?? 'event')}${e.eventId ? ` (${e.eventId})` : ''}`;
      return e.outcome === 'accepted' ? what : `${what}: ${e.outcome}${e.reason ? `, ${e.reason}` : ''}`;
    }
    case 'decision': {
      const d = e.decision;
      const what = `Checkpoint decision: ${d.decision}${d.days ? ` ${d.days} days` : ''}${d.by ? ` by ${d.by}` : ''}${d.note ? ` (“${d.note}”)` : ''}`;
      return e.outcome === 'accepted' ? what : `${what}: ${e.outcome}${e.reason ? `, ${e.reason}` : ''}`;
    }
    case 'notification':
      return `${label(e.notificationKind)} by ${e.channel === 'email' ? 'e-mail' : 'Slack'} to ${e.to.join(', ')}: ${e.status}${e.error ? ` (${e.error})` : ''}`;
    case 'status_changed':
      return [e.phase && `Phase ${e.phase}`, e.health && `health ${label(e.health).toLowerCase()}`].filter(Boolean).join(', ');
    case 'profile_changed':
      return `Profile changed by ${e.by}: ${e.fields.join(', ')}${e.reason ? ` (“${e.reason}”)` : ''}`;
    case 'playbook_migrated': {
      const changes = [
        e.milestonesAdded?.length ? `added ${e.milestonesAdded.join(', ')}` : '',
        e.milestonesRemoved?.length ? `removed ${e.milestonesRemoved.join(', ')}` : '',
      ].filter(Boolean);
      return `Moved to playbook ${e.to.version}${e.from ? ` from ${e.from.version}` : ''}${e.by ? ` by ${e.by}` : ''}${changes.length ? `: ${changes.join('; ')}` : ''}`;
    }
    case 'account_conflict':
      return `Account conflict ${e.conflictId} ${e.stage}: ${label(e.outcome).toLowerCase()}${e.decidedBy ? ` by ${e.decidedBy}` : ''}`;
    case 'continued_as_new':
      return 'History continued in a new run';
    case 'closed':
      return `Workflow ${e.status}`;
    default:
      return '';
  }
}

/** @param {{ timeline: import('./api.js').Timeline | null }} props */
function TimelineList({ timeline }) {
  if (!timeline) return html`<p aria-busy="true">Loading the timeline…</p>`;
  const entries = [...timeline.entries].reverse();
  return html`
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol class="timeline" reversed>
        ${entries.map((e) => html`<li><time datetime=${e.at}>${when(e.at)}</time> ${describe(e)}</li>`)}
      </ol>
    </section>`;
}

/** @param {{ partnerId: string }} props */
export function Partner({ partnerId }) {
  const [state, setState] = useState(/** @type {State | null} */ (null));
  const [timeline, setTimeline] = useState(/** @type {import('./api.js').Timeline | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [message, setMessage] = useState('');
  const [waiving, setWaiving] = useState(/** @type {Milestone | null} */ (null));

  const loadTimeline = () => api.timeline(partnerId).then(setTimeline, () => setTimeline({ partnerId, workflowId: '', runIds: [], entries: [] }));
  useEffect(() => {
    api.state(partnerId).then(setState, setError);
    void loadTimeline();
  }, [partnerId]);

  /** @param {State} after @param {string} text */
  const changed = (after, text) => {
    setState(after);
    setMessage(text);
    setWaiving(null);
    void loadTimeline();
  };

  if (error) return html`<${PageTitle}>Partner ${partnerId}<//><${ErrorNote} error=${error} /><p><a href="#/">Back to the portfolio</a></p>`;
  if (!state) return html`<p aria-busy="true">Loading ${partnerId}…</p>`;
  return html`
    <nav aria-label="Breadcrumb"><ul><li><a href="#/">Portfolio</a></li><li>${state.name}</li></ul></nav>
    <${PageTitle}>${state.name}<//>
    <dl class="facts">
      <div><dt>Partner id</dt><dd>${state.partnerId}</dd></div>
      <div><dt>Segment / track</dt><dd>${label(state.segment)} / ${label(state.role)}</dd></div>
      <div><dt>Phase</dt><dd>${label(state.phase)} (day ${state.day})</dd></div>
      <div><dt>Phase deadline</dt><dd data-testid="phase-deadline">${state.phaseDeadline ? when(state.phaseDeadline) : '–'}</dd></div>
      <div><dt>Extensions</dt><dd>${state.extensions}</dd></div>
      <div><dt>Health</dt><dd><${HealthMark} health=${state.health} /></dd></div>
      <div><dt>Manager</dt><dd>${state.partnerManager.name} (${state.partnerManager.email})</dd></div>
    </dl>
    <p role="status" class="outcome">${message}</p>
    <${DecisionPanel} state=${state} onDecided=${changed} />
    <${Opportunities} state=${state} />
    <${Milestones} state=${state} onWaive=${setWaiving} />
    <${WaiverDialog} partnerId=${partnerId} milestone=${waiving} onClose=${() => setWaiving(null)} onWaived=${changed} />
    <${Checkpoints} state=${state} />
    <${Notifications} state=${state} />
    <${TimelineList} timeline=${timeline} />`;
}
