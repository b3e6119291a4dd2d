/**
 * Reference data: trading partners, employer groups, plans and rates, loaded from one
 * YAML/JSON file (`edibridge setup load`) and read by intake and billing.
 */
export * from './schema.js';
export {
  ReferenceDataError,
  formatOf,
  parseReferenceData,
  parseReferenceText,
  readReferenceFile,
  type ReferenceFormat,
} from './load-file.js';
export {
  REFERENCE_TABLES,
  countReferenceRows,
  findPartnerByIsa,
  loadReferenceData,
  type ReferenceCounts,
  type ReferenceTable,
  type TableCounts,
  type TradingPartnerRow,
} from './store.js';
