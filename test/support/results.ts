/** Builders of validation results for tests of the acknowledgement and report writers. */
import type { GroupResult, InterchangeResult, SetResult } from '../../src/x12/report.js';

export function setResult(control: string, over: Partial<SetResult> = {}): SetResult {
  return {
    id: '834',
    control,
    convention: '005010X220A1',
    status: 'A',
    codes: [],
    errors: [],
    errorsTruncated: false,
    segmentCount: 30,
    fileOffset: 0,
    ...over,
  };
}

export function groupResult(over: Partial<GroupResult> = {}): GroupResult {
  return {
    functionalId: 'BE',
    control: '42',
    version: '005010X220A1',
    sender: 'ACMEHEALTH',
    receiver: 'EDIBRIDGE',
    status: 'A',
    codes: [],
    declaredSets: 1,
    sets: [],
    acknowledge: true,
    fileOffset: 0,
    ...over,
  };
}

export function interchangeResult(over: Partial<InterchangeResult> = {}): InterchangeResult {
  return {
    control: '000000905',
    senderQualifier: 'ZZ',
    sender: 'ACMEHEALTH     ',
    receiverQualifier: 'ZZ',
    receiver: 'EDIBRIDGE      ',
    date: '260927',
    time: '0815',
    version: '00501',
    usage: 'P',
    ackRequested: true,
    status: 'A',
    note: '000',
    otherNotes: [],
    sendTa1: true,
    groups: [],
    fileOffset: 0,
    ...over,
  };
}
