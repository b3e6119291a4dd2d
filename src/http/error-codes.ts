/** The error codes an API caller meets, with their HTTP status (see statusOf in routes.ts). */
export const ERROR_CODES_DOC =
  'USAGE (400, the input is wrong; `issues` lists each field), UNAUTHENTICATED (401, sign in), SIGN_IN_REFUSED (401), FORBIDDEN (403, your role may not), CSRF_INVALID (403), NOT_FOUND (404, also for what belongs to another organisation), INVALID_STATE (409, e.g. a resolved item acted on), INTERNAL (500).';
