import type { Request } from 'express';

/** One-shot message shown on the next page (post-redirect-get). Holds a message key, never data. */
export function flash(req: Request, key: string, kind: 'success' | 'error' = 'success'): void {
  req.session.flash = { kind, key };
}

export function takeFlash(req: Request): { kind: 'success' | 'error'; key: string } | undefined {
  const message = req.session?.flash;
  if (message) delete req.session.flash;
  return message;
}
