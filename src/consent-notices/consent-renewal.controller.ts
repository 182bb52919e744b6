import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { flash } from '../web/flash';
import { fieldsOf } from '../web/form';
import { shownVersionOf } from './consent-notices.forms';
import { renewalReturnPath } from './consent-notices.view';

/**
 * Renewed consent: the worker read the current notice to a client who had agreed to an older one, and the
 * client agreed again. Sent from the client page or the contact form, and back there after.
 */
@Controller('clients')
export class ConsentRenewalController {
  constructor(
    private readonly clientsService: ClientsService,
    private readonly clock: Clock,
  ) {}

  @Post(':id/consent')
  @Can('clients:write')
  async renew(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const outcome = await this.clientsService.renewConsent(actor, actorContext(actor, address), id, {
      shownVersion: shownVersionOf(body),
      consentDate: localDay(this.clock.now()),
    });
    // A newer notice than the one read out was published meanwhile: the page now shows it, to read again.
    if (outcome === 'notice_changed') flash(req, 'consentNotices.renewal.noticeChanged', 'error');
    else flash(req, 'consentNotices.renewal.recorded');
    return res.redirect(303, renewalReturnPath(id, fieldsOf(body).from));
  }
}
