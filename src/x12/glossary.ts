/**
 * Glossary — the words used throughout edibridge, each meaning exactly this:
 *
 * - **file**: the bytes of one inbound transfer; may hold several interchanges.
 * - **interchange**: ISA … IEA. Carries the delimiters and one control number (ISA13);
 *   answered by a TA1 when its envelope is faulty or when ISA14 asks for one.
 * - **functional group** (group): GS … GE inside an interchange; one 999 answers one group.
 * - **transaction set** (set): ST … SE inside a group; accepted or rejected on its own (IK5).
 * - **loop**: a repeating block of segments named by the guide ("2000", "2100A").
 * - **segment**: an ID ("INS") and its elements, ended by the segment terminator.
 *   Its *position* is counted from ST = 1 within a set (IK302), its *ordinal* from 1 in the file.
 * - **element**: one value inside a segment, 1-based after the ID; may be a *composite* of
 *   *components* and may *repeat* (ISA11 separator).
 * - **guide**: an implementation guide (005010X220A1 …) described as data in schemas/x12.
 * - **partner**: a trading partner that sends us files (identified by ISA06/GS02).
 * - **exception**: an item a person must work within 48 hours (see src/exceptions).
 */
export {};
