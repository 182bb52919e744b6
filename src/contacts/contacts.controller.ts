import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { ConsentNoticesService } from '../consent-notices/consent-notices.service';
import { mayRenewConsent, toRenewalView } from '../consent-notices/consent-notices.view';
import { DistrictsService } from '../geography/districts.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import { ContactFormRules, parseContactChanges, parseContactFilters, parseNewContact } from './contacts.forms';
import { ContactRecord, ContactsService } from './contacts.service';
import {
  clientHomePath,
  contactPath,
  districtNames,
  districtOptions,
  modalitiesFor,
  modalityOptions,
  newContactValues,
  submittedValues,
  toClientHeading,
  toContactFormValues,
  toContactRow,
  topicOptions,
  workerOptions,
} from './contacts.view';

type FormValues = Record<string, unknown> & { topics: string[] };

/**
 * Outreach contacts ("lượt tiếp cận"): the quick form reached from a client's page, its edit and
 * delete (by the author or a manager of the organization), and the lists.
 */
@Controller()
export class ContactsController {
  constructor(
    private readonly contactsService: ContactsService,
    private readonly clientsService: ClientsService,
    private readonly districtsService: DistrictsService,
    private readonly consentNoticesService: ConsentNoticesService,
    private readonly clock: Clock,
  ) {}

  @Get('clients/:id/contacts/new')
  @Can('contacts:write')
  async newPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const client = await this.clientsService.getForActor(actor, id);
    const values = newContactValues(client, localDay(this.clock.now()), randomUUID(), modalitiesFor(actor)[0]);
    return this.renderNew(res, 200, actor, client, values);
  }

  @Post('clients/:id/contacts')
  @Can('contacts:write')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const form = await parseNewContact(body, await this.formRules(actor, client.primaryDistrict));
    if (!form.ok) {
      const values = submittedValues(formValues(body));
      // A hidden key that was tampered with: a fresh one lets the worker send the form again.
      if (form.errors.submissionKey) values.submissionKey = randomUUID();
      const formError = form.errors.submissionKey;
      return this.renderNew(res, 422, actor, client, values, form.errors, formError);
    }
    const { input, submissionKey } = form.value;
    const contact = await this.contactsService.record(
      actor,
      actorContext(actor, address),
      client,
      input,
      submissionKey,
    );
    flash(req, 'contacts.recorded');
    return res.redirect(303, clientHomePath(actor, contact.clientId));
  }

  @Get('contacts')
  @Can('contacts:read')
  @Render('contacts/index')
  async index(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>) {
    const [districts, workers] = await Promise.all([
      this.districtsService.listAll(),
      this.contactsService.workersOf(actor),
    ]);
    const filters = parseContactFilters(query, {
      districtCodes: districts.map((d) => d.code),
      workerIds: workers.map((w) => w.id),
    });
    const page = pageOf(query.page);
    const { rows, total } = await this.contactsService.list(actor, filters.criteria, page);
    const names = districtNames(districts);
    return {
      title: 'contacts.title',
      contacts: rows.map((row) => toContactRow(row, names, this.contactsService.canEdit(actor, row))),
      pager: pagerView(page, total, filters.query),
      filtered: Object.keys(filters.query).length > 0,
      filtersOpen: Object.keys(filters.values).length > 0 || Object.keys(filters.errors).length > 0,
      districts: districtOptions(districts),
      modalities: modalityOptions(),
      workers: workerOptions(workers),
      values: filters.values,
      errors: filters.errors,
    };
  }

  @Get('contacts/mine')
  @Can('contacts:read')
  @Render('contacts/index')
  async mine(@CurrentActor() actor: Actor, @Query('page') rawPage?: unknown) {
    const page = pageOf(rawPage);
    const [{ rows, total }, districts] = await Promise.all([
      this.contactsService.listMine(actor, page),
      this.districtsService.listAll(),
    ]);
    const names = districtNames(districts);
    return {
      title: 'contacts.mineTitle',
      mine: true,
      contacts: rows.map((row) => toContactRow(row, names, true)),
      pager: pagerView(page, total),
    };
  }

  @Get('contacts/:id/edit')
  @Can('contacts:write')
  async edit(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const { contact, client } = await this.contactsService.openForEdit(actor, actorContext(actor, address), id);
    return this.renderEdit(res, 200, actor, contact, client, toContactFormValues(contact));
  }

  @Post('contacts/:id')
  @Can('contacts:write')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { contact, client } = await this.contactsService.getEditable(actor, id);
    const form = await parseContactChanges(body, await this.formRules(actor, contact.districtCode));
    if (!form.ok) {
      return this.renderEdit(res, 422, actor, contact, client, submittedValues(formValues(body)), form.errors);
    }
    await this.contactsService.update(actor, actorContext(actor, address), contact.id, form.value);
    flash(req, 'contacts.updated');
    return res.redirect(303, clientHomePath(actor, client.id));
  }

  @Post('contacts/:id/delete')
  @Can('contacts:write')
  async remove(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const contact = await this.contactsService.remove(actor, actorContext(actor, address), id);
    flash(req, 'contacts.deleted');
    return res.redirect(303, clientHomePath(actor, contact.clientId));
  }

  /** Today in Hanoi, the active districts and the actor's modalities; the client's own district and an
   *  edited contact's stay allowed even if retired since. */
  private async formRules(actor: Actor, keepDistrict?: string): Promise<ContactFormRules> {
    const active = await this.districtsService.listActive();
    const codes = active.map((d) => d.code);
    return {
      today: localDay(this.clock.now()),
      districtCodes: keepDistrict ? [...codes, keepDistrict] : codes,
      modalities: modalitiesFor(actor),
    };
  }

  private async districtChoices(keepDistrict?: string) {
    const active = await this.districtsService.listActive();
    if (!keepDistrict || active.some((d) => d.code === keepDistrict)) return districtOptions(active);
    const all = await this.districtsService.listAll();
    return districtOptions(all.filter((d) => d.active || d.code === keepDistrict));
  }

  private async renderNew(
    res: Response,
    status: number,
    actor: Actor,
    client: Client,
    values: Record<string, unknown>,
    errors?: FormErrors,
    formError?: string,
  ) {
    const heading = toClientHeading(client, clientHomePath(actor, client.id));
    // A client who agreed to an older notice hears the current one at this contact.
    const renewal = await this.consentNoticesService.renewalFor(client.consentNoticeVersion);
    res.status(status).render('contacts/form', {
      title: 'contacts.newTitle',
      client: heading,
      renewal: renewal
        ? toRenewalView(client.id, client.consentNoticeVersion, renewal, mayRenewConsent(actor, client), 'contact')
        : null,
      action: heading.newContactAction,
      today: localDay(this.clock.now()),
      ...(await this.choices(actor, values as FormValues, client.primaryDistrict)),
      values,
      errors,
      formError,
    });
  }

  private async renderEdit(
    res: Response,
    status: number,
    actor: Actor,
    contact: ContactRecord,
    client: Client,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    res.status(status).render('contacts/form', {
      title: 'contacts.editTitle',
      client: toClientHeading(client, clientHomePath(actor, client.id)),
      action: contactPath(contact.id),
      deleteAction: `${contactPath(contact.id)}/delete`,
      editing: true,
      today: localDay(this.clock.now()),
      ...(await this.choices(actor, values as FormValues, contact.districtCode)),
      values,
      errors,
    });
  }

  private async choices(actor: Actor, values: FormValues, keepDistrict?: string) {
    return {
      modalities: modalityOptions(modalitiesFor(actor)),
      districts: await this.districtChoices(keepDistrict),
      topics: topicOptions(values.topics),
    };
  }
}
