/** Console form handling: answers that redirect back with a message (post, redirect, get). */
import type { FastifyReply } from 'fastify';
import { errorBody } from '../routes.js';
import type { Html } from './html.js';

export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.text);
}

/** Redirects to `to` with a message shown once at the top of the page. */
export function back(reply: FastifyReply, to: string, message: string, kind: 'flash' | 'error' = 'flash'): FastifyReply {
  const sep = to.includes('?') ? '&' : '?';
  return reply.redirect(`${to}${sep}${kind}=${encodeURIComponent(message)}`, 303);
}

/** Runs a form's action; a refusal goes back to the form with its message instead of an error page. */
export async function act(reply: FastifyReply, to: string, run: () => Promise<string>): Promise<FastifyReply> {
  try {
    return back(reply, to, await run());
  } catch (err) {
    const { status, body } = errorBody(err);
    if (status >= 500) throw err;
    return back(reply, to, body.error.message, 'error');
  }
}
