import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { anonymousContext } from '../audit/audit.service';
import { Public } from '../auth/access.decorators';
import { RequestAddress } from '../auth/actor';
import { parseConfirmation } from './confirmations.forms';
import { ConfirmationsService } from './confirmations.service';
import { confirmationValues, refusalOf } from './confirmations.view';

/**
 * The receiving provider's page: no account, a referral code, a PIN and a date. Nothing about the
 * client is shown or sent back, whatever is typed.
 */
@Controller('confirm')
export class ConfirmationsController {
  constructor(private readonly confirmationsService: ConfirmationsService) {}

  @Get()
  @Public()
  page(@Req() req: Request, @Res() res: Response) {
    // Keep this anonymous session so the form's CSRF token, bound to its id, is valid on submit.
    req.session.confirmationStarted = true;
    const today = this.confirmationsService.today();
    res.render('confirmations/index', { title: 'confirm.title', today, values: { code: '', servedOn: today } });
  }

  @Post()
  @Public()
  async confirm(@RequestAddress() address: string | null, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const today = this.confirmationsService.today();
    const again = (status: number, errors: Record<string, string>, formError?: string) =>
      res.status(status).render('confirmations/index', {
        title: 'confirm.title',
        today,
        values: confirmationValues(body, today),
        errors,
        formError,
      });
    const form = await parseConfirmation(body, today);
    if (!form.ok) return again(422, form.errors);
    const { code, pin, servedOn } = form.value;
    const answer = await this.confirmationsService.confirm(anonymousContext(address), address, code, pin, servedOn);
    const refusal = refusalOf(answer);
    if (!refusal) return res.status(200).render('confirmations/done', { title: 'confirm.title' });
    return again(
      answer.kind === 'locked' ? 429 : 422,
      refusal.field ? { [refusal.field]: refusal.formError } : {},
      refusal.field ? undefined : refusal.formError,
    );
  }
}
