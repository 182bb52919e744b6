import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { NOTICE_BODY_MAX, parsePublishNotice } from './consent-notices.forms';
import { ConsentNoticesService, NoticeRefusedError } from './consent-notices.service';
import { NEW_NOTICE_PATH, NOTICES_PATH, toNoticeDetail, toNoticeRow, toNoticeText } from './consent-notices.view';

type Values = Record<string, unknown>;

/**
 * The admin pages of the consent notice: the versions, one version's texts, and publishing a new one.
 * A published version is never edited: a new version replaces it, and clients who agreed to an older
 * one are asked again at their next contact.
 */
@Controller('admin/consent-notices')
export class ConsentNoticesController {
  constructor(private readonly noticesService: ConsentNoticesService) {}

  @Get()
  @Can('consent:manage')
  @Render('consent-notices/index')
  async index() {
    const notices = await this.noticesService.list();
    const currentVersion = notices[0]?.version ?? null;
    return {
      title: 'consentNotices.title',
      notices: notices.map((listing) => toNoticeRow(listing, currentVersion)),
      newHref: NEW_NOTICE_PATH,
    };
  }

  // Declared before ':version' so that "new" is never read as a version.
  @Get('new')
  @Can('consent:manage')
  async newPage(@Res() res: Response) {
    const current = await this.noticesService.current();
    // The form starts from the current texts: a new version is usually an edit of the last one.
    return this.renderNew(res, 200, {
      version: await this.noticesService.suggestedVersion(),
      bodyVi: current.bodyVi,
      bodyEn: current.bodyEn,
    });
  }

  @Post('new')
  @Can('consent:manage')
  async publish(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const values = formValues(body);
    const form = await parsePublishNotice(body);
    if (!form.ok) return this.renderNew(res, 422, values, form.errors);
    try {
      await this.noticesService.publish(actor, actorContext(actor, address), form.value);
    } catch (error) {
      if (error instanceof NoticeRefusedError) {
        return this.renderNew(res, 422, values, { [error.field]: error.reasonKey });
      }
      throw error;
    }
    flash(req, 'consentNotices.published');
    return res.redirect(303, NOTICES_PATH);
  }

  @Get(':version')
  @Can('consent:manage')
  @Render('consent-notices/show')
  async show(@Param('version') version: string) {
    const [notice, current] = await Promise.all([this.noticesService.get(version), this.noticesService.current()]);
    return {
      title: 'consentNotices.showTitle',
      notice: toNoticeDetail(notice, current.version),
      backHref: NOTICES_PATH,
    };
  }

  private async renderNew(res: Response, status: number, values: Values, errors?: FormErrors) {
    const current = await this.noticesService.current();
    res.status(status).render('consent-notices/new', {
      title: 'consentNotices.newTitle',
      action: NEW_NOTICE_PATH,
      backHref: NOTICES_PATH,
      current: toNoticeText(current),
      bodyMax: NOTICE_BODY_MAX,
      values,
      errors,
    });
  }
}
