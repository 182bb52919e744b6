import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { parseLift, parseRestrict } from './privacy-requests.forms';
import { PrivacyRequestsService } from './privacy-requests.service';
import { clientPath, liftReasonOptions, restrictReasonOptions, toClientHeading } from './privacy-requests.view';

/**
 * Restricting the processing of a client's data, and lifting it (managers). While restricted, the
 * record is read-only: every write about the client is refused (see `restriction.ts`).
 */
@Controller('clients/:id')
export class RestrictionController {
  constructor(
    private readonly requestsService: PrivacyRequestsService,
    private readonly clientsService: ClientsService,
  ) {}

  /** The state of the restriction and the form that changes it. */
  @Get('restriction')
  @Can('privacy:erase')
  async page(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const client = await this.clientsService.getForActor(actor, id);
    return this.render(res, 200, client, {});
  }

  @Post('restrict')
  @Can('privacy:erase')
  async restrict(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const form = await parseRestrict(body);
    if (!form.ok) return this.render(res, 422, client, formValues(body), form.errors);
    await this.requestsService.restrict(actor, actorContext(actor, address), client.id, form.value.reason);
    flash(req, 'restriction.restricted');
    return res.redirect(303, clientPath(client.id));
  }

  @Post('unrestrict')
  @Can('privacy:erase')
  async lift(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const form = await parseLift(body);
    if (!form.ok) return this.render(res, 422, client, formValues(body), form.errors);
    await this.requestsService.liftRestriction(actor, actorContext(actor, address), client.id, form.value.reason);
    flash(req, 'restriction.lifted');
    return res.redirect(303, clientPath(client.id));
  }

  private render(res: Response, status: number, client: Client, values: Record<string, unknown>, errors?: FormErrors) {
    res.status(status).render('privacy-requests/restriction', {
      title: 'restriction.title',
      client: toClientHeading(client),
      restrictAction: `${clientPath(client.id)}/restrict`,
      liftAction: `${clientPath(client.id)}/unrestrict`,
      restrictReasons: restrictReasonOptions(),
      liftReasons: liftReasonOptions(),
      values,
      errors,
    });
  }
}
