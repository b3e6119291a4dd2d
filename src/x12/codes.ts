/**
 * The X12 acknowledgement code lists we emit, each with words an operations person
 * understands. Keys are the codes as written in the TA1 and 999.
 */

/** TA105 Interchange Note Code. */
export const TA105 = {
  '000': 'No error',
  '001': 'The interchange control number in the header (ISA13) and trailer (IEA02) do not match',
  '002': 'The standard named in the control standards identifier (ISA11) is not supported',
  '003': 'This version of the interchange controls (ISA12) is not supported',
  '004': 'The segment terminator is invalid',
  '005': 'Invalid interchange ID qualifier for the sender (ISA05)',
  '006': 'Invalid interchange sender ID (ISA06)',
  '007': 'Invalid interchange ID qualifier for the receiver (ISA07)',
  '008': 'Invalid interchange receiver ID (ISA08)',
  '009': 'Unknown interchange receiver ID (ISA08): the interchange is not addressed to us',
  '010': 'Invalid authorization information qualifier (ISA01)',
  '011': 'Invalid authorization information value (ISA02)',
  '012': 'Invalid security information qualifier (ISA03)',
  '013': 'Invalid security information value (ISA04)',
  '014': 'Invalid interchange date (ISA09)',
  '015': 'Invalid interchange time (ISA10)',
  '016': 'Invalid interchange standards identifier / repetition separator (ISA11)',
  '017': 'Invalid interchange control version ID (ISA12)',
  '018': 'Invalid interchange control number (ISA13)',
  '019': 'Invalid acknowledgment requested value (ISA14)',
  '020': 'Invalid test indicator value (ISA15)',
  '021': 'The number of functional groups in IEA01 does not match the groups received',
  '022': 'Invalid control structure: envelope segments are missing or out of order',
  '023': 'Improper (premature) end of file: the interchange is incomplete',
  '024': 'Invalid interchange content, e.g. an invalid GS segment',
  '025': 'Duplicate interchange control number (ISA13)',
  '026': 'Invalid data element separator',
  '027': 'Invalid component element separator',
} as const;
export type Ta105 = keyof typeof TA105;

/** IK304 Implementation Segment Syntax Error Code. */
export const IK304 = {
  '1': 'Unrecognized segment ID',
  '2': 'Unexpected segment',
  '3': 'Required segment missing',
  '4': 'Loop occurs over maximum times',
  '5': 'Segment exceeds maximum use',
  '6': 'Segment not in defined transaction set',
  '7': 'Segment not in proper sequence',
  '8': 'Segment has data element errors',
  I4: 'Implementation "not used" segment present',
  I6: 'Implementation dependent segment missing',
  I7: 'Implementation loop occurs under minimum times',
  I8: 'Implementation segment below minimum use',
  I9: 'Implementation dependent "not used" segment present',
} as const;
export type Ik304 = keyof typeof IK304;

/** IK403 Implementation Data Element Syntax Error Code. */
export const IK403 = {
  '1': 'Required data element missing',
  '2': 'Conditional required data element missing',
  '3': 'Too many data elements',
  '4': 'Data element too short',
  '5': 'Data element too long',
  '6': 'Invalid character in data element',
  '7': 'Invalid code value',
  '8': 'Invalid date',
  '9': 'Invalid time',
  '10': 'Exclusion condition violated',
  '12': 'Too many repetitions',
  '13': 'Too many components',
  I6: 'Code value not used in this implementation',
  I9: 'Implementation dependent data element missing',
  I10: 'Implementation "not used" data element present',
  I11: 'Implementation too few repetitions',
  I12: 'Implementation pattern match failure',
  I13: 'Implementation dependent "not used" data element present',
} as const;
export type Ik403 = keyof typeof IK403;

/** IK502–IK506 Implementation Transaction Set Syntax Error Code. */
export const IK5 = {
  '1': 'Transaction set not supported',
  '2': 'Transaction set trailer (SE) missing',
  '3': 'Transaction set control number in header (ST02) and trailer (SE02) do not match',
  '4': 'Number of included segments (SE01) does not match the actual count',
  '5': 'One or more segments in error',
  '6': 'Missing or invalid transaction set identifier (ST01)',
  '7': 'Missing or invalid transaction set control number (ST02)',
  '18': 'Transaction set not in a functional group',
  '19': 'Invalid transaction set implementation convention reference (ST03)',
  '23': 'Transaction set control number not unique within the functional group',
  I5: 'Implementation: one or more segments in error',
  I6: 'Implementation convention not supported',
} as const;
export type Ik5Code = keyof typeof IK5;

/** AK905–AK909 Functional Group Syntax Error Code. */
export const AK9 = {
  '1': 'Functional group not supported',
  '2': 'Functional group version not supported',
  '3': 'Functional group trailer (GE) missing',
  '4': 'Group control number in the header (GS06) and trailer (GE02) do not match',
  '5': 'Number of included transaction sets (GE01) does not match the actual count',
  '6': 'Group control number violates syntax',
  '19': 'Functional group control number not unique within the interchange',
} as const;
export type Ak9Code = keyof typeof AK9;

/** IK501 / AK901 acknowledgment codes. */
export type SetStatus = 'A' | 'E' | 'R';
export type GroupStatus = 'A' | 'E' | 'P' | 'R';
/** TA104 interchange acknowledgment code. */
export type InterchangeStatus = 'A' | 'E' | 'R';
