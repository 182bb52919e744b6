import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { flash } from '../web/flash';
import type { FormErrors } from '../web/form';
import { parseRetentionRun } from './erasure.forms';
import { toRetentionView } from './erasure.view';
import { RetentionService } from './retention.service';

const PAGE = '/admin/retention';

/** The retention settings page (admin): what the next run would erase, by organization, and a way to run it now. */
@Controller('admin/retention')
export class RetentionController {
  constructor(private readonly retentionService: RetentionService) {}

  @Get()
  @Can('retention:manage')
  async page(@CurrentActor() actor: Actor, @RequestAddress() address: string | null, @Res() res: Response) {
    return this.render(res, 200, actor, address);
  }

  @Post('run')
  @Can('retention:manage')
  async run(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const form = await parseRetentionRun(body);
    if (!form.ok) return this.render(res, 422, actor, address, form.errors);
    const outcome = await this.retentionService.run(actorContext(actor, address));
    flash(req, `retention.ran|count=${outcome.total}`);
    return res.redirect(303, PAGE);
  }

  private async render(res: Response, status: number, actor: Actor, address: string | null, errors?: FormErrors) {
    const preview = await this.retentionService.preview(actorContext(actor, address));
    res.status(status).render('erasure/retention', {
      title: 'retention.title',
      retention: toRetentionView(preview),
      errors,
    });
  }
}
