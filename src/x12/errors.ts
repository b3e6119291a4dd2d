/** Errors of the X12 engine itself (not findings about a file, which are report data). */
import { EdiBridgeError } from '../core/errors.js';

export class X12Error extends EdiBridgeError {}
