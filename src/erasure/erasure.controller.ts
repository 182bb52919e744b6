import { Body, Controller, Get, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { districtNames } from '../clients/clients.view';
import { DistrictsService } from '../geography/districts.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { parseErasure } from './erasure.forms';
import { ClientErasureService, ErasureRefusedError } from './erasure.service';
import { erasureReasonOptions, toErasureView } from './erasure.view';

/**
 * Erasing a client on request (manager, own organization). After erasure the record is a tombstone that
 * no page opens: its address answers 404 like any unknown client, and lists and searches never show it.
 */
@Controller('clients/:id/erase')
export class ErasureController {
  constructor(
    private readonly clientsService: ClientsService,
    private readonly erasureService: ClientErasureService,
    private readonly districtsService: DistrictsService,
  ) {}

  /** The page shows the client's summary: a view of the record, audited like the client page. */
  @Get()
  @Can('privacy:erase')
  async page(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.openForActor(actor, actorContext(actor, address), id);
    return this.render(res, 200, client, {});
  }

  @Post()
  @Can('privacy:erase')
  async erase(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const form = await parseErasure(body, client.displayCode ?? '');
    if (!form.ok) return this.render(res, 422, client, formValues(body, ['confirmCode']), form.errors);
    try {
      await this.erasureService.erase(actorContext(actor, address), client.id, form.value.reason);
    } catch (error) {
      // Erased or merged by someone else a moment ago: the record is gone for this page too.
      if (error instanceof ErasureRefusedError) throw new NotFoundException();
      throw error;
    }
    flash(req, 'erasure.done');
    return res.redirect(303, '/clients');
  }

  private async render(
    res: Response,
    status: number,
    client: Client,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const names = districtNames(await this.districtsService.listAll());
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('erasure/erase', {
      title: 'erasure.title',
      client: toErasureView(client, names),
      reasons: erasureReasonOptions(),
      values,
      errors,
    });
  }
}
