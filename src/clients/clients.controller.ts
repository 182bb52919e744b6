import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AssessmentsService } from '../assessments/assessments.service';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { shownVersionOf } from '../consent-notices/consent-notices.forms';
import { ConsentNoticesService } from '../consent-notices/consent-notices.service';
import { mayRenewConsent, toNoticeText, toRenewalView } from '../consent-notices/consent-notices.view';
import { ContactsService } from '../contacts/contacts.service';
import { isRestricted } from '../privacy-requests/restriction';
import { withPrivacyActions } from '../privacy-requests/privacy-requests.view';
import { ReferralsService } from '../referrals/referrals.service';
import { toReferralRow } from '../referrals/referrals.view';
import { DistrictsService } from '../geography/districts.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import type { Client } from './client.entity';
import {
  BIRTH_YEAR_MIN,
  latestBirthYear,
  MERGE_STEPS,
  parseClientEdit,
  parseDisplayCode,
  parseMerge,
  parseRegistration,
  parseTally,
  parseUicLookup,
  REGISTRATION_STEPS,
  stepOf,
  TALLY_COUNT_MAX,
} from './clients.forms';
import { ClientsService, MergeRefusedError } from './clients.service';
import {
  clientActions,
  clientPath,
  districtNames,
  districtOptions,
  genderOptions,
  hiddenRegistrationFields,
  mergeReasonOptions,
  modalityOptions,
  sexOptions,
  toClientDetail,
  toClientFormValues,
  toClientRow,
  toClientSummary,
  toNeedRows,
  toRegistrationReview,
  toTimelineRow,
  toViolenceView,
  workSettingOptions,
} from './clients.view';
import { isUuid } from '../web/form-rules';

type Values = Record<string, unknown>;

interface NewPageState {
  values: Values;
  errors?: FormErrors;
  /** A message above the form (e.g. "no client has this code yet"). */
  noticeKey?: string;
  tallyValues?: Values;
  tallyErrors?: FormErrors;
  tallyOpen?: boolean;
}

/**
 * Pages that show or carry client code parts must not be kept by the browser or a proxy: the parts
 * travel only in the bodies of POST forms and their answers.
 */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/** The client pages of the outreach workflow: search, find by code, register, open, edit, merge. */
@Controller('clients')
export class ClientsController {
  constructor(
    private readonly clientsService: ClientsService,
    private readonly contactsService: ContactsService,
    private readonly assessmentsService: AssessmentsService,
    private readonly referralsService: ReferralsService,
    private readonly districtsService: DistrictsService,
    private readonly consentNoticesService: ConsentNoticesService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Can('clients:read')
  async index(
    @CurrentActor() actor: Actor,
    @Query('code') typed: unknown,
    @Query('page') rawPage: unknown,
    @Res() res: Response,
  ) {
    const code = typeof typed === 'string' ? typed.trim().slice(0, 40) : '';
    let messageKey: string | null = null;
    if (code) {
      const displayCode = parseDisplayCode(code);
      // Only the actor's organization is searched: a code of another one reads "not found" like any other.
      const client = displayCode ? await this.clientsService.findByDisplayCode(actor, displayCode) : null;
      if (client) return res.redirect(303, clientPath(client.id));
      messageKey = displayCode ? 'clients.notFound' : 'clients.searchInvalid';
    }
    const page = pageOf(rawPage);
    const { rows, total } = await this.clientsService.listRecent(actor, page);
    const names = districtNames(await this.districtsService.listAll());
    res.render('clients/index', {
      title: 'clients.title',
      search: { code, messageKey },
      canRegister: actor.permissions.has('clients:write'),
      clients: rows.map((client) => toClientRow(client, names)),
      pager: pagerView(page, total),
    });
  }

  @Get('find')
  @Can('clients:write')
  findPage(@Res() res: Response) {
    noStore(res);
    res.render('clients/find', { title: 'clients.findTitle', sexes: sexOptions(), values: {} });
  }

  /** Finding a client by the five code parts: POST only, so the parts never reach a URL. */
  @Post('find')
  @Can('clients:write')
  async find(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    noStore(res);
    const values = formValues(body);
    const renderErrors = (errors: FormErrors) =>
      res.status(422).render('clients/find', { title: 'clients.findTitle', sexes: sexOptions(), values, errors });
    const form = await parseUicLookup(body, this.today());
    if (!form.ok) return renderErrors(form.errors);
    const outcome = await this.clientsService.lookup(actor, actorContext(actor, address), form.value.parts);
    switch (outcome.kind) {
      case 'existing':
        return res.redirect(303, clientPath(outcome.client.id));
      case 'elsewhere':
        // The worker was told; registering from here needs no second warning.
        return res.status(200).render('clients/elsewhere', {
          title: 'clients.elsewhereTitle',
          hidden: hiddenRegistrationFields(values, { confirmKnownElsewhere: '1' }),
          step: 'edit',
          buttonKey: 'clients.registerHere',
        });
      case 'none':
        return this.renderNew(res, 200, { values: this.withDefaults(values), noticeKey: 'clients.noneFound' });
      case 'invalid_uic':
        return renderErrors(Object.fromEntries(outcome.invalid.map((part) => [part, `clients.errors.${part}`])));
    }
  }

  @Get('new')
  @Can('clients:write')
  newPage(@Res() res: Response) {
    return this.renderNew(res, 200, { values: this.withDefaults({}) });
  }

  /**
   * Registration in two steps: `review` validates and shows the composed code for confirmation (every
   * value travels on in hidden fields), `confirm` registers; `edit` goes back to the form.
   */
  @Post()
  @Can('clients:write')
  async register(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    noStore(res);
    const values = formValues(body);
    const step = stepOf(body, REGISTRATION_STEPS) ?? 'review';
    if (step === 'edit') return this.renderNew(res, 200, { values: this.withDefaults(values) });
    const districts = await this.districtsService.listActive();
    const form = await parseRegistration(body, {
      today: this.today(),
      districtCodes: districts.map((d) => d.code),
    });
    if (!form.ok) {
      const withoutConsent = form.errors.consent !== undefined;
      return this.renderNew(res, 422, {
        values,
        errors: form.errors,
        tallyOpen: withoutConsent,
        tallyValues: { contactDate: values.firstContactDate, districtCode: values.primaryDistrict },
      });
    }
    if (step === 'review') {
      return res.status(200).render('clients/review', {
        title: 'clients.reviewTitle',
        review: toRegistrationReview(values, form.value.composedCode, districtNames(districts)),
        hidden: hiddenRegistrationFields(values),
      });
    }
    const outcome = await this.clientsService.register(actor, actorContext(actor, address), {
      ...form.value.registration,
      noticeVersion: shownVersionOf(body) ?? undefined,
    });
    switch (outcome.kind) {
      case 'created':
        flash(req, 'clients.registered');
        return res.redirect(303, clientPath(outcome.client.id));
      case 'existing':
        flash(req, 'clients.alreadyRegistered');
        return res.redirect(303, clientPath(outcome.client.id));
      case 'elsewhere':
        return res.status(200).render('clients/elsewhere', {
          title: 'clients.elsewhereTitle',
          hidden: hiddenRegistrationFields(values, { confirmKnownElsewhere: '1' }),
          step: 'confirm',
          buttonKey: 'clients.registerAnyway',
        });
      case 'invalid_uic':
        return this.renderNew(res, 422, {
          values,
          errors: Object.fromEntries(outcome.invalid.map((part) => [part, `clients.errors.${part}`])),
        });
      case 'notice_changed':
        // A newer notice was published after the form was opened: the client must hear that one.
        return this.renderNew(res, 422, {
          values: { ...values, consent: undefined },
          errors: { consent: 'consentNotices.errors.noticeChanged' },
        });
    }
  }

  /** Without consent only a count is kept: no client, nothing about the person. */
  @Post('tally')
  @Can('clients:write')
  async tally(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const districts = await this.districtsService.listActive();
    const form = await parseTally(body, { today: this.today(), districtCodes: districts.map((d) => d.code) });
    if (!form.ok) {
      return this.renderNew(res, 422, {
        values: this.withDefaults({}),
        tallyValues: formValues(body),
        tallyErrors: form.errors,
        tallyOpen: true,
      });
    }
    await this.clientsService.recordAnonymousTally(actor, actorContext(actor, address), form.value);
    flash(req, 'clients.tallyRecorded');
    return res.redirect(303, '/clients');
  }

  /** The client page: every view is audited; another organization's client answers 404. */
  @Get(':id')
  @Can('clients:read')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.openForActor(actor, actorContext(actor, address), id);
    const [needs, violence, contacts, districts, referrals, renewal] = await Promise.all([
      this.assessmentsService.currentNeeds(client),
      this.assessmentsService.latestViolenceAnswer(client),
      this.contactsService.recentForClient(client),
      this.districtsService.listAll(),
      actor.permissions.has('referrals:read') ? this.referralsService.listForClient(client) : null,
      this.consentNoticesService.renewalFor(client.consentNoticeVersion),
    ]);
    const names = districtNames(districts);
    const mayEditContacts = actor.permissions.has('contacts:write') && !isRestricted(client);
    noStore(res);
    res.render('clients/show', {
      title: 'clients.showTitle',
      client: toClientDetail(client, this.clientsService.aliasOf(client), names),
      actions: withPrivacyActions(actor, client, clientActions(actor, client)),
      needs: toNeedRows(needs),
      violence: toViolenceView(violence),
      contacts: contacts.map((contact) =>
        toTimelineRow(contact, names, mayEditContacts && this.contactsService.canEdit(actor, contact)),
      ),
      referrals: referrals ? { rows: referrals.map(toReferralRow) } : null,
      renewal: renewal
        ? toRenewalView(client.id, client.consentNoticeVersion, renewal, mayRenewConsent(actor, client), 'client')
        : null,
    });
  }

  @Get(':id/edit')
  @Can('clients:write')
  async editPage(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    // The form shows the alias: opening it is a view of the record, audited like the client page.
    const client = await this.clientsService.openForActor(actor, actorContext(actor, address), id);
    return this.renderEdit(res, 200, client, toClientFormValues(client, this.clientsService.aliasOf(client)));
  }

  @Post(':id/edit')
  @Can('clients:write')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const form = await parseClientEdit(
      body,
      { today: this.today(), districtCodes: await this.districtChoicesFor(client) },
      client.birthYear,
    );
    if (!form.ok) return this.renderEdit(res, 422, client, formValues(body), form.errors);
    await this.clientsService.updateDetails(actor, actorContext(actor, address), client.id, form.value);
    flash(req, 'clients.updated');
    return res.redirect(303, clientPath(client.id));
  }

  @Get(':id/merge')
  @Can('clients:merge')
  async mergePage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const keep = await this.clientsService.getForActor(actor, id);
    return this.renderMerge(res, 200, keep, {});
  }

  /** Merge of a duplicate (manager): `review` shows both records, `confirm` merges. */
  @Post(':id/merge')
  @Can('clients:merge')
  async merge(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const keep = await this.clientsService.getForActor(actor, id);
    const values = formValues(body);
    const form = await parseMerge(body);
    if (!form.ok) return this.renderMerge(res, 422, keep, values, form.errors);
    const duplicate = await this.clientsService.findByDisplayCode(actor, form.value.duplicateCode);
    if (!duplicate) return this.renderMerge(res, 422, keep, values, { duplicateCode: 'clients.errors.mergeNotFound' });
    if (duplicate.id === keep.id)
      return this.renderMerge(res, 422, keep, values, { duplicateCode: 'clients.mergeSame' });
    const context = actorContext(actor, address);
    if ((stepOf(body, MERGE_STEPS) ?? 'review') === 'review') {
      // The summary of the duplicate is a view of that record too.
      await this.clientsService.openForActor(actor, context, duplicate.id);
      const names = districtNames(await this.districtsService.listAll());
      return res.status(200).render('clients/merge-confirm', {
        title: 'clients.mergeTitle',
        keep: toClientSummary(keep, names),
        duplicate: toClientSummary(duplicate, names),
        reasonKey: `clients.mergeReasons.${form.value.reason}`,
        values: { duplicateCode: form.value.duplicateCode, reason: form.value.reason },
      });
    }
    try {
      await this.clientsService.merge(actor, context, keep.id, duplicate.id, form.value.reason);
    } catch (error) {
      if (error instanceof MergeRefusedError) {
        return this.renderMerge(res, 422, keep, values, { duplicateCode: error.reasonKey });
      }
      throw error;
    }
    flash(req, 'clients.merged');
    return res.redirect(303, clientPath(keep.id));
  }

  private today(): string {
    return localDay(this.clock.now());
  }

  /** A new form starts with today as the first contact and a fresh submission key (kept when going back). */
  private withDefaults(values: Values): Values {
    return {
      ...values,
      firstContactDate: values.firstContactDate || this.today(),
      submissionKey: isUuid(values.submissionKey) ? values.submissionKey : randomUUID(),
    };
  }

  private async renderNew(res: Response, status: number, state: NewPageState) {
    const districts = await this.districtsService.listActive();
    const notice = await this.consentNoticesService.current();
    const today = this.today();
    noStore(res);
    res.status(status).render('clients/new', {
      title: 'clients.new',
      values: state.values,
      errors: state.errors,
      noticeKey: state.noticeKey,
      notice: toNoticeText(notice),
      today,
      birthYearMin: BIRTH_YEAR_MIN,
      birthYearMax: latestBirthYear(today),
      sexes: sexOptions(),
      genders: genderOptions(),
      districts: districtOptions(districts),
      workSettings: workSettingOptions(),
      modalities: modalityOptions(),
      tallyMax: TALLY_COUNT_MAX,
      tallyOpen: state.tallyOpen === true,
      tallyValues: {
        contactDate: today,
        count: '1',
        ...state.tallyValues,
        submissionKey: isUuid(state.tallyValues?.submissionKey) ? state.tallyValues?.submissionKey : randomUUID(),
      },
      tallyErrors: state.tallyErrors,
    });
  }

  /** Active districts, plus the client's own even if it was deactivated since (saving keeps it). */
  private async districtChoicesFor(client: Client): Promise<string[]> {
    const codes = (await this.districtsService.listActive()).map((d) => d.code);
    return codes.includes(client.primaryDistrict) ? codes : [...codes, client.primaryDistrict];
  }

  private async renderEdit(res: Response, status: number, client: Client, values: Values, errors?: FormErrors) {
    const all = await this.districtsService.listAll();
    const choices = all.filter((d) => d.active || d.code === client.primaryDistrict);
    noStore(res);
    res.status(status).render('clients/edit', {
      title: 'clients.editTitle',
      client: toClientSummary(client, districtNames(all)),
      genders: genderOptions(),
      districts: districtOptions(choices),
      workSettings: workSettingOptions(),
      today: this.today(),
      values,
      errors,
    });
  }

  private async renderMerge(res: Response, status: number, keep: Client, values: Values, errors?: FormErrors) {
    const names = districtNames(await this.districtsService.listAll());
    res.status(status).render('clients/merge', {
      title: 'clients.mergeTitle',
      keep: toClientSummary(keep, names),
      reasons: mergeReasonOptions(),
      values,
      errors,
    });
  }
}
