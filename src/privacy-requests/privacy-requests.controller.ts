import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { isUuid } from '../web/form-rules';
import { pageOf, pagerView } from '../web/pagination';
import { parseClose, parseFindClient, parseNewRequest } from './privacy-requests.forms';
import { PrivacyRequestConflict, PrivacyRequestRefused, PrivacyRequestsService } from './privacy-requests.service';
import {
  newRequestPath,
  outcomeOptions,
  reasonGroups,
  requestPath,
  toClientHeading,
  toRequestDetail,
  toRequestRow,
  typeOptions,
} from './privacy-requests.view';

type Values = Record<string, unknown>;

/** Pages that show a request's notes are not kept by the browser or a proxy. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/**
 * The log of data-subject requests (see, restrict, erase): open ones by deadline with the overdue
 * flagged, logging a new one from the client's page (or by display code), and closing one.
 */
@Controller()
export class PrivacyRequestsController {
  constructor(
    private readonly requestsService: PrivacyRequestsService,
    private readonly clientsService: ClientsService,
  ) {}

  @Get('privacy/requests')
  @Can('privacy:requests')
  async index(@CurrentActor() actor: Actor, @Query('page') rawPage: unknown, @Res() res: Response) {
    return this.renderIndex(res, 200, actor, rawPage, {});
  }

  /** Logging a request starts from the client's display code (POST: the code never reaches a URL). */
  @Post('privacy/requests/find')
  @Can('privacy:requests')
  async find(@CurrentActor() actor: Actor, @Body() body: unknown, @Res() res: Response) {
    const values = formValues(body);
    const form = parseFindClient(body);
    if (!form.ok) return this.renderIndex(res, 422, actor, undefined, values, form.errors);
    const client = await this.clientsService.findByDisplayCode(actor, form.value.displayCode);
    if (!client) {
      return this.renderIndex(res, 422, actor, undefined, values, {
        displayCode: 'privacyRequests.errors.noSuchClient',
      });
    }
    return res.redirect(303, newRequestPath(client.id));
  }

  @Get('clients/:id/privacy-requests/new')
  @Can('privacy:requests')
  async newPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const client = await this.clientsService.getForActor(actor, id);
    return this.renderNew(res, 200, client, {
      type: '',
      receivedOn: this.requestsService.today(),
      submissionKey: randomUUID(),
    });
  }

  @Post('clients/:id/privacy-requests/new')
  @Can('privacy:requests')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const again = (errors: FormErrors) => {
      const values = formValues(body);
      if (errors.submissionKey || !isUuid(values.submissionKey)) values.submissionKey = randomUUID();
      return this.renderNew(res, 422, client, values, errors);
    };
    const form = await parseNewRequest(body, { today: this.requestsService.today() });
    if (!form.ok) return again(form.errors);
    try {
      const request = await this.requestsService.create(
        actor,
        actorContext(actor, address),
        client,
        form.value.input,
        form.value.submissionKey,
      );
      flash(req, 'privacyRequests.created');
      return res.redirect(303, requestPath(request.id));
    } catch (error) {
      if (error instanceof PrivacyRequestRefused) return again({ [error.field]: error.messageKey });
      throw error;
    }
  }

  @Get('privacy/requests/:id')
  @Can('privacy:requests')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const record = await this.requestsService.open(actor, actorContext(actor, address), id);
    return this.renderShow(res, 200, record, { status: '', reason: '', note: '', version: record.request.version });
  }

  /** Closes the request as done or refused; a conflict (closed meanwhile) shows the request as it is now. */
  @Post('privacy/requests/:id')
  @Can('privacy:requests')
  async close(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const record = await this.requestsService.get(actor, id);
    const values = formValues(body);
    const form = await parseClose(body);
    if (!form.ok) return this.renderShow(res, 422, record, values, form.errors);
    try {
      await this.requestsService.close(actor, actorContext(actor, address), record.request.id, form.value.version, form.value.input);
    } catch (error) {
      if (error instanceof PrivacyRequestRefused) {
        return this.renderShow(res, 422, record, values, { [error.field]: error.messageKey });
      }
      if (error instanceof PrivacyRequestConflict) {
        const now = await this.requestsService.get(actor, id);
        return this.renderShow(res, 409, now, { ...values, version: now.request.version }, undefined, 'privacyRequests.conflict');
      }
      throw error;
    }
    flash(req, 'privacyRequests.closed');
    return res.redirect(303, requestPath(record.request.id));
  }

  private async renderIndex(
    res: Response,
    status: number,
    actor: Actor,
    rawPage: unknown,
    values: Values,
    errors?: FormErrors,
  ) {
    const today = this.requestsService.today();
    const page = pageOf(rawPage);
    const [open, closed] = await Promise.all([
      this.requestsService.listOpen(actor),
      this.requestsService.listClosed(actor, page),
    ]);
    const openRows = open.map((row) => toRequestRow(row, today));
    res.status(status).render('privacy-requests/index', {
      title: 'privacyRequests.title',
      deadlineDays: this.requestsService.deadlineDays,
      open: openRows,
      overdueCount: openRows.filter((row) => row.overdue).length,
      closed: closed.rows.map((row) => toRequestRow(row, today)),
      pager: pagerView(page, closed.total),
      values,
      errors,
    });
  }

  private renderNew(res: Response, status: number, client: Client, values: Values, errors?: FormErrors) {
    res.status(status).render('privacy-requests/new', {
      title: 'privacyRequests.newTitle',
      client: toClientHeading(client),
      action: newRequestPath(client.id),
      types: typeOptions(),
      today: this.requestsService.today(),
      deadlineDays: this.requestsService.deadlineDays,
      values,
      errors,
    });
  }

  private renderShow(
    res: Response,
    status: number,
    record: Awaited<ReturnType<PrivacyRequestsService['get']>>,
    values: Values,
    errors?: FormErrors,
    formError?: string,
  ) {
    noStore(res);
    res.status(status).render('privacy-requests/show', {
      title: 'privacyRequests.showTitle',
      request: toRequestDetail(record, this.requestsService.today()),
      outcomes: outcomeOptions(),
      reasonGroups: reasonGroups(),
      values,
      errors,
      formError,
    });
  }
}
