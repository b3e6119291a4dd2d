/** The set handlers the application registers: every adapter ingests through the same ones. */
import { enrollmentHandler, type EnrollmentHandlerOptions } from '../enrollment/handler.js';
import { handlerRegistry, type HandlerRegistry } from '../ingest/handlers.js';
import { remittanceHandler } from '../remittance/handler.js';
import type { AppContext } from './context.js';

export type HandlerTuning = Omit<EnrollmentHandlerOptions, 'phi'>;

export async function setHandlers(app: AppContext, tuning: HandlerTuning = {}): Promise<HandlerRegistry> {
  return handlerRegistry(enrollmentHandler({ phi: await app.phi(), ...tuning }), remittanceHandler());
}
