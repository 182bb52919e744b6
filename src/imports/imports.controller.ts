import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { flash } from '../web/flash';
import { FormErrors, formValues, parseForm } from '../web/form';
import type { ImportKind } from './import-kinds';
import { ImportForm } from './imports.forms';
import { ImportsService } from './imports.service';
import { importJobPath, toImportJobDetail, toImportJobRow, toKindOptions, uploadLimitMegabytes } from './imports.view';
import { UPLOAD_ERROR } from './upload.middleware';

/**
 * Imports of legacy registers: the upload page with the organization's recent imports, and each
 * import's page (progress while it runs, then its result or every bad row). The multipart body is
 * read before the CSRF check by importUploadMiddleware (see there why).
 */
@Controller('imports')
export class ImportsController {
  constructor(private readonly importsService: ImportsService) {}

  @Get()
  @Can('imports:run')
  async index(@CurrentActor() actor: Actor, @Res() res: Response) {
    await this.renderIndex(res, actor, 200, {}, {});
  }

  @Post()
  @Can('imports:run')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const form = await parseForm(ImportForm, body);
    const errors: FormErrors = form.ok ? {} : { ...form.errors };
    const uploadError: unknown = res.locals[UPLOAD_ERROR];
    if (typeof uploadError === 'string') errors.file = uploadError;
    else if (!req.file?.path) errors.file = 'imports.errors.file';
    if (!form.ok || errors.file || !req.file) {
      const status = errors.file === 'imports.errors.tooLarge' ? 413 : 422;
      return this.renderIndex(res, actor, status, errors, formValues(body));
    }
    const job = await this.importsService.start(
      actor,
      actorContext(actor, address),
      form.value.kind as ImportKind,
      req.file.path,
    );
    flash(req, 'imports.started');
    return res.redirect(303, importJobPath(job));
  }

  @Get(':id')
  @Can('imports:run')
  async show(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const job = await this.importsService.getForActor(actor, id);
    res.render('imports/show', {
      title: 'imports.jobTitle',
      job: toImportJobDetail(job, this.importsService.progressOf(job.id)),
    });
  }

  private async renderIndex(
    res: Response,
    actor: Actor,
    status: number,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) {
    const jobs = await this.importsService.listRecent(actor);
    res.status(status).render('imports/index', {
      title: 'imports.title',
      kinds: toKindOptions(),
      maxMegabytes: uploadLimitMegabytes(),
      jobs: jobs.map(toImportJobRow),
      errors: Object.keys(errors).length ? errors : undefined,
      values,
    });
  }
}
