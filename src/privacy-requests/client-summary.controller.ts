import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { ClientSummaryService } from './client-summary.service';
import { clientPath, toSummaryView } from './privacy-requests.view';

/** The "see" right: a printable summary of everything held about a client, to show them. */
@Controller('clients/:id/summary')
export class ClientSummaryController {
  constructor(private readonly summaryService: ClientSummaryService) {}

  @Get()
  @Can('clients:read')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const summary = await this.summaryService.summary(actor, actorContext(actor, address), id);
    res.setHeader('Cache-Control', 'no-store');
    res.render('privacy-requests/summary', {
      title: 'summary.title',
      backHref: clientPath(summary.client.id),
      summary: toSummaryView(summary),
    });
  }
}
