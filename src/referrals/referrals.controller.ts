import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AssessmentsService } from '../assessments/assessments.service';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { DistrictsService } from '../geography/districts.service';
import { domainOfServiceType } from '../reference/codes';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import { followUpScope, parseNewReferral, parseServiceChoice, parseStatusChange } from './referrals.forms';
import {
  ReferralChangeRefused,
  ReferralConflict,
  ReferralRecord,
  ReferralsService,
  StatusChangeInput,
} from './referrals.service';
import {
  allStatusOptions,
  changeFormValues,
  districtFilterOptions,
  districtNames,
  FOLLOW_UP_DAYS,
  newReferralPath,
  newReferralValues,
  nextStatusOptions,
  providerOptions,
  referralActions,
  referralPath,
  serviceGroups,
  toClientHeading,
  toFollowUpRow,
  toHistoryLine,
  toProviderCard,
  toReferralDetail,
  verificationOptions,
} from './referrals.view';

type Values = Record<string, unknown>;

/** Pages that show notes or a slip's PIN are not kept by the browser or a proxy. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/**
 * Referrals: made from a client's page (service, then provider), followed through their lifecycle on the
 * referral page, printed as a slip, and listed for follow-up.
 */
@Controller()
export class ReferralsController {
  constructor(
    private readonly referralsService: ReferralsService,
    private readonly clientsService: ClientsService,
    private readonly assessmentsService: AssessmentsService,
    private readonly districtsService: DistrictsService,
  ) {}

  /** Step 1 without `?service=`: choose the service; step 2 with it: provider, dates, note. */
  @Get('clients/:id/referrals/new')
  @Can('referrals:write')
  async newPage(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const districts = await this.districtsService.listAll();
    const choice = parseServiceChoice(
      query,
      districts.map((d) => d.code),
    );
    if (!choice.serviceType) return this.renderServiceStep(res, client);
    const values = {
      ...newReferralValues(this.referralsService.today(), randomUUID()),
      serviceType: choice.serviceType,
    };
    return this.renderDetailsStep(res, 200, client, choice.serviceType, choice.district, values);
  }

  @Post('clients/:id/referrals')
  @Can('referrals:write')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: Values,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.getForActor(actor, id);
    const serviceType = typeof body.serviceType === 'string' ? body.serviceType : '';
    const domain = domainOfServiceType(serviceType);
    const district = typeof body.district === 'string' ? body.district : null;
    if (!domain) return this.renderServiceStep(res, client, 422);
    const offered = await this.referralsService.providersFor(domain, serviceType, client.primaryDistrict);
    const form = await parseNewReferral(body, {
      today: this.referralsService.today(),
      providerRequired: offered.length > 0,
    });
    const again = (errors: FormErrors) => {
      const values = formValues(body);
      if (errors.submissionKey) values.submissionKey = randomUUID();
      return this.renderDetailsStep(res, 422, client, serviceType, district, values, errors);
    };
    if (!form.ok) return again(form.errors);
    try {
      const referral = await this.referralsService.create(
        actor,
        actorContext(actor, address),
        client,
        form.value.input,
        form.value.submissionKey,
      );
      flash(req, 'referrals.created');
      return res.redirect(303, referralPath(referral.id));
    } catch (error) {
      if (error instanceof ReferralChangeRefused) return again({ [error.field]: error.messageKey });
      throw error;
    }
  }

  @Get('referrals/follow-up')
  @Can('referrals:read')
  async followUp(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const scope = followUpScope(query);
    const page = pageOf(query.page);
    const { rows, total, due, overdue } = await this.referralsService.followUps(actor, scope === 'mine', page);
    res.render('referrals/follow-up', {
      title: 'referrals.followUpTitle',
      scope,
      mine: scope === 'mine',
      referrals: rows.map(toFollowUpRow),
      counts: { due, overdue, total },
      dueDays: FOLLOW_UP_DAYS,
      pager: pagerView(page, total, { scope }),
    });
  }

  @Get('referrals/:id')
  @Can('referrals:read')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const { referral, client, history } = await this.referralsService.open(actor, actorContext(actor, address), id);
    const values = changeFormValues(referral, this.referralsService.today());
    return this.renderShow(res, 200, actor, client, referral, history, values);
  }

  @Post('referrals/:id/status')
  @Can('referrals:write')
  async changeStatus(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { referral, client } = await this.referralsService.get(actor, id);
    const form = await parseStatusChange(body, { today: this.referralsService.today(), reasonRequired: false });
    const again = async (errors: FormErrors) =>
      this.renderShow(
        res,
        422,
        actor,
        client,
        referral,
        await this.referralsService.history(client, referral.id),
        formValues(body),
        errors,
      );
    if (!form.ok) return again(form.errors);
    return this.saveChange(req, res, again, form.value.change, () =>
      this.referralsService.changeStatus(
        actor,
        actorContext(actor, address),
        id,
        form.value.version,
        form.value.change,
      ),
    );
  }

  @Get('referrals/:id/correct')
  @Can('referrals:write')
  async correctPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const { referral, client } = await this.referralsService.get(actor, id);
    const values = {
      ...changeFormValues(referral, this.referralsService.today()),
      status: referral.status,
      statusOn: referral.statusOn,
      verification: referral.verification ?? '',
    };
    return this.renderCorrect(res, 200, client, referral, values);
  }

  @Post('referrals/:id/correct')
  @Can('referrals:write')
  async correct(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { referral, client } = await this.referralsService.get(actor, id);
    const form = await parseStatusChange(body, { today: this.referralsService.today(), reasonRequired: true });
    const again = async (errors: FormErrors) =>
      this.renderCorrect(res, 422, client, referral, formValues(body), errors);
    if (!form.ok) return again(form.errors);
    return this.saveChange(req, res, again, form.value.change, () =>
      this.referralsService.correct(actor, actorContext(actor, address), id, form.value.version, form.value.change),
    );
  }

  @Get('referrals/:id/slip')
  @Can('referrals:read')
  async slip(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const slip = await this.referralsService.slip(actor, actorContext(actor, address), id);
    const names = districtNames(await this.districtsService.listAll());
    noStore(res);
    res.render('referrals/slip', {
      title: 'referrals.slipTitle',
      backHref: referralPath(slip.referral.id),
      displayCode: slip.client.displayCode ?? '',
      slipCode: slip.slipCode,
      pin: slip.pin,
      serviceTypeKey: `codes.serviceType.${slip.referral.serviceType}`,
      domainKey: `codes.domain.${slip.referral.domain}`,
      provider: slip.provider ? toProviderCard(slip.provider, names) : null,
      referredOn: slip.referral.referredOn,
      appointmentOn: slip.referral.appointmentOn,
      expiresOn: slip.referral.slipExpiresOn,
      confirmUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}/confirm`,
    });
  }

  /** Saves a change; a refusal re-renders the form, a conflict shows what changed meanwhile (409). */
  private async saveChange(
    req: Request,
    res: Response,
    again: (errors: FormErrors) => Promise<void>,
    attempted: StatusChangeInput,
    save: () => Promise<{ id: string }>,
  ) {
    try {
      const saved = await save();
      flash(req, 'referrals.saved');
      return res.redirect(303, referralPath(saved.id));
    } catch (error) {
      if (error instanceof ReferralChangeRefused) return again({ [error.field]: error.messageKey });
      if (error instanceof ReferralConflict) {
        noStore(res);
        return res.status(409).render('referrals/conflict', {
          title: 'referrals.conflictTitle',
          href: referralPath(error.current.id),
          current: toReferralDetail(error.current, null, new Map()),
          changes: error.changes.map(toHistoryLine),
          attempted: {
            statusKey: `codes.referralStatus.${attempted.status}`,
            statusOn: attempted.statusOn,
            appointmentOn: attempted.appointmentOn,
            note: attempted.note,
          },
        });
      }
      throw error;
    }
  }

  private renderServiceStep(res: Response, client: Client, status = 200) {
    return this.assessmentsService.currentNeeds(client).then((needs) => {
      const needed = new Set(needs.filter((n) => n.need === 'yes' && n.eligible === 'yes').map((n) => n.domain));
      res.status(status).render('referrals/new-service', {
        title: 'referrals.newTitle',
        client: toClientHeading(client),
        groups: serviceGroups(client.id, needed),
        errorKey: status === 422 ? 'referrals.errors.serviceType' : null,
      });
    });
  }

  private async renderDetailsStep(
    res: Response,
    status: number,
    client: Client,
    serviceType: string,
    district: string | null,
    values: Values,
    errors?: FormErrors,
  ) {
    const domain = domainOfServiceType(serviceType)!;
    const districts = await this.districtsService.listAll();
    const names = districtNames(districts);
    // By default the client's district first; `district=all` lists every district; a chosen one filters.
    const all = await this.referralsService.providersFor(domain, serviceType, district || client.primaryDistrict);
    const inDistrict = district ? all.filter((p) => p.districtCode === district) : all;
    noStore(res);
    res.status(status).render('referrals/new', {
      title: 'referrals.newTitle',
      client: toClientHeading(client),
      action: `/clients/${client.id}/referrals`,
      changeServiceHref: newReferralPath(client.id),
      filterAction: newReferralPath(client.id),
      serviceType,
      serviceTypeKey: `codes.serviceType.${serviceType}`,
      domainKey: `codes.domain.${domain}`,
      district: district ?? '',
      districts: districtFilterOptions(districts),
      providers: providerOptions(inDistrict, names, values.providerId),
      noneInDistrict: district !== null && district !== '' && inDistrict.length === 0 && all.length > 0,
      noProviders: all.length === 0,
      today: this.referralsService.today(),
      values,
      errors,
    });
  }

  private async renderShow(
    res: Response,
    status: number,
    actor: Actor,
    client: Client,
    referral: ReferralRecord,
    history: Awaited<ReturnType<ReferralsService['history']>>,
    values: Values,
    errors?: FormErrors,
  ) {
    const names = districtNames(await this.districtsService.listAll());
    noStore(res);
    res.status(status).render('referrals/show', {
      title: 'referrals.showTitle',
      client: toClientHeading(client),
      referral: toReferralDetail(referral, await this.referralsService.provider(referral), names),
      history: history.map(toHistoryLine),
      actions: referralActions(actor, referral),
      statuses: nextStatusOptions(referral.status),
      verifications: verificationOptions(),
      today: this.referralsService.today(),
      values,
      errors,
    });
  }

  private renderCorrect(
    res: Response,
    status: number,
    client: Client,
    referral: ReferralRecord,
    values: Values,
    errors?: FormErrors,
  ) {
    noStore(res);
    res.status(status).render('referrals/correct', {
      title: 'referrals.correctTitle',
      client: toClientHeading(client),
      backHref: referralPath(referral.id),
      action: `${referralPath(referral.id)}/correct`,
      currentStatusKey: `codes.referralStatus.${referral.status}`,
      statuses: allStatusOptions(),
      verifications: verificationOptions(),
      today: this.referralsService.today(),
      values,
      errors,
    });
  }
}
