/**
 * Reads what a report says besides the validation results, from the file itself: how it
 * starts when it holds no interchange, and the acknowledgements it carries (read only when
 * the validation shows a group of 999s or an interchange without groups, where a TA1 stands).
 */
import { createReadStream } from 'node:fs';
import { mayHoldAcknowledgements, readReceivedAcknowledgements } from '../ack/inbound.js';
import type { FileReport } from '../x12/report.js';
import { describeFileStart, readFileStart } from './file-start.js';
import { placeholderInterchange, type ReportExtras } from './received.js';

export async function readReportExtras(path: string, report: FileReport): Promise<ReportExtras> {
  const extras: ReportExtras = {};
  if (placeholderInterchange(report) || report.interchanges.length === 0) {
    extras.fileStart = describeFileStart(await readFileStart(path), report.bytes);
  } else if (mayHoldAcknowledgements(report)) {
    extras.received = await readReceivedAcknowledgements(createReadStream(path, { highWaterMark: 1 << 20 }));
  }
  return extras;
}
