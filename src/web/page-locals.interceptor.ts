import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { pendingStep } from '../auth/sign-in-steps';
import { navigationFor } from './navigation';

/** After the guards: what every page shows about the signed-in user (name, role, menu). */
@Injectable()
export class PageLocalsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const actor = req.actor;
    if (actor && req.user) {
      const stepDone = pendingStep(req.user, req.session.totpVerified === true) === null;
      res.locals.me = { username: actor.username, roleKey: `roles.${actor.role}` };
      res.locals.nav = stepDone ? navigationFor(actor, req.path) : [];
    }
    return next.handle();
  }
}
