import { JaxLabError } from '@jaxlab/schemas/contract';
import { paragraph } from './sweep-form-fields.js';

/** A refusal of the server, as the sweep form lists it. */
export interface ISweepServerErrors {
  title: string;
  /** The schema's messages, one line each (each starts with its field's pointer). */
  lines: string[];
  /** What to place on fields: those lines, else the message. */
  problems: string[];
  hint?: string;
}

/** What a failed POST /api/sweeps says, as the form shows it. */
export function sweepServerErrors(error: unknown): ISweepServerErrors {
  if (error instanceof JaxLabError) {
    const details = Array.isArray(error.details)
      ? error.details.map(String)
      : [];
    return {
      // "Invalid sweep: a; b; c": the details list the same problems.
      title: details.length
        ? `The server refused the sweep (${error.code}):`
        : `${error.message} (${error.code})`,
      lines: details,
      problems: details.length ? details : [error.message],
      hint: error.hint
    };
  }
  return { title: (error as Error).message, lines: [], problems: [] };
}

/** The server's refusal as the form's error box shows it: title, lines, hint. */
export function sweepServerErrorNodes({
  title,
  lines,
  hint
}: ISweepServerErrors): HTMLElement[] {
  const parts: HTMLElement[] = [
    paragraph(title, 'jp-jaxlab-SweepForm-errorTitle')
  ];
  if (lines.length) {
    const ul = document.createElement('ul');
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      ul.appendChild(li);
    }
    parts.push(ul);
  }
  if (hint) parts.push(paragraph(hint, 'jp-jaxlab-SweepForm-hint'));
  return parts;
}
