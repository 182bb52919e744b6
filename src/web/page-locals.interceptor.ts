import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { pendingStep } from '../auth/sign-in-steps';
import { takeFlash } from './flash';
import { navigationFor } from './navigation';

/**
 * After the guards: what every page shows about the signed-in user (name, role, menu), and the one-shot
 * message of the previous save. Taken here, on pages only, so no stray request (an icon, a probe) eats it.
 */
@Injectable()
export class PageLocalsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    if (req.method === 'GET' && req.session) res.locals.flash = takeFlash(req);
    const actor = req.actor;
    if (actor && req.user) {
      const stepDone = pendingStep(req.user, req.session.totpVerified === true) === null;
      res.locals.me = { username: actor.username, roleKey: `roles.${actor.role}` };
      res.locals.nav = stepDone ? navigationFor(actor, req.path) : [];
    }
    return next.handle();
  }
}
