/** Which acknowledgements a validated file calls for, their X12 text, and where they are written. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileReport } from '../x12/report.js';
import { build999 } from './ack999.js';
import { assertAcknowledgement } from './check.js';
import type { AckContext } from './envelope.js';
import { buildTa1 } from './ta1.js';

export interface Acknowledgement {
  name: string;
  kind: 'TA1' | '999';
  text: string;
}

export interface AcknowledgementOptions {
  /** A TA1 for every interchange, not only where validation calls for one (a partner's setting). */
  ta1ForAll?: boolean;
}

/** Every acknowledgement a file's report calls for, named by interchange. */
export function acknowledgementsFor(report: FileReport, ctx: AckContext, options: AcknowledgementOptions = {}): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  report.interchanges.forEach((ic, i) => {
    const stem = `${String(i + 1).padStart(3, '0')}-${ic.control.replace(/[^0-9A-Za-z]/g, '_') || 'unknown'}`;
    if (ic.sendTa1 || options.ta1ForAll) out.push({ name: `${stem}.ta1.x12`, kind: 'TA1', text: buildTa1(ic, ctx) });
    const ack = build999(ic, ctx);
    if (ack) out.push({ name: `${stem}.999.x12`, kind: '999', text: ack });
  });
  return out;
}


/**
 * Writes a file's acknowledgements under `ackDir/<file name>/` (the layout `validate
 * --ack-dir` and `ingest` share). Returns the path of each, in order. Each must first pass
 * the strict check (check.ts): if one does not, none is written and an EdiBridgeError
 * (INTERNAL, naming the file and acknowledgement) is thrown.
 */
export async function writeAcknowledgements(ackDir: string, fileName: string, acks: readonly Acknowledgement[]): Promise<string[]> {
  for (const a of acks) assertAcknowledgement(a.text, a.kind, { file: fileName, acknowledgement: a.name });
  const dir = join(ackDir, fileName);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const a of acks) {
    const path = join(dir, a.name);
    await writeFile(path, a.text);
    paths.push(path);
  }
  return paths;
}
