// @ts-check
/** Shared view pieces: htm bound to Preact, and small marks built from plain HTML elements. */
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';
import { label } from './format.js';

export const html = htm.bind(h);

/** @param {{ health: string | null }} props */
export function HealthMark({ health }) {
  if (!health) return html`<span class="muted">–</span>`;
  return html`<mark class=${`health health-${health}`}>${label(health)}</mark>`;
}

/** @param {{ error: unknown }} props */
export function ErrorNote({ error }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return html`<p class="error" role="alert">${message}</p>`;
}

/** The page's heading, focused when the page opens so keyboard and screen-reader users start there. */
/** @param {{ children: any }} props */
export function PageTitle({ children }) {
  const ref = useRef(/** @type {HTMLHeadingElement | null} */ (null));
  useEffect(() => ref.current?.focus(), []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}
