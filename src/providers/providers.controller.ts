import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { DistrictsService } from '../geography/districts.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import { parseProviderFilters, parseProviderForm } from './providers.forms';
import { ProviderNameTakenError, ProvidersService } from './providers.service';
import type { ServiceProvider } from './service-provider.entity';
import {
  districtNames,
  districtOptions,
  domainChoices,
  domainOptions,
  editProviderPath,
  newProviderFormValues,
  PROVIDERS_PATH,
  REVIEW_LIST_PATH,
  submittedValues,
  toProviderFormValues,
  toProviderHeading,
  toProviderRow,
} from './providers.view';

type Values = Record<string, unknown>;

/**
 * The service directory's admin pages: the list (entries an import added, waiting for review,
 * first), and the entry form for adding and editing. Everything here is public information about
 * partner organizations.
 */
@Controller('admin/providers')
export class ProvidersController {
  constructor(
    private readonly providersService: ProvidersService,
    private readonly districtsService: DistrictsService,
  ) {}

  @Get()
  @Can('providers:manage')
  @Render('providers/index')
  async index(@Query() query: Record<string, unknown>) {
    const districts = await this.districtsService.listAll();
    const filters = parseProviderFilters(
      query,
      districts.map((d) => d.code),
    );
    const page = pageOf(query.page);
    const { rows, total } = await this.providersService.list(filters.criteria, page);
    const toReview = await this.providersService.countNeedingReview();
    const names = districtNames(districts);
    return {
      title: 'providers.title',
      providers: rows.map((row) => toProviderRow(row, names)),
      pager: pagerView(page, total, filters.query),
      toReview,
      reviewHref: REVIEW_LIST_PATH,
      filtered: Object.keys(filters.query).length > 0,
      filtersOpen: Object.keys(filters.values).length > 0 || Object.keys(filters.errors).length > 0,
      domains: domainOptions(),
      districts: districtOptions(districts),
      values: filters.values,
      errors: filters.errors,
    };
  }

  @Get('new')
  @Can('providers:manage')
  async newPage(@Res() res: Response) {
    return this.renderNew(res, 200, newProviderFormValues());
  }

  @Post()
  @Can('providers:manage')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const form = await parseProviderForm(body, await this.formRules());
    const values = submittedValues(formValues(body));
    if (!form.ok) return this.renderNew(res, 422, values, form.errors);
    try {
      await this.providersService.add(actorContext(actor, address), form.value);
    } catch (error) {
      if (error instanceof ProviderNameTakenError) return this.renderNew(res, 422, values, ...nameTaken(error));
      throw error;
    }
    flash(req, 'providers.created');
    return res.redirect(303, PROVIDERS_PATH);
  }

  @Get(':id/edit')
  @Can('providers:manage')
  async editPage(@Param('id') id: string, @Res() res: Response) {
    const provider = await this.providersService.get(id);
    return this.renderEdit(res, 200, provider, toProviderFormValues(provider));
  }

  @Post(':id')
  @Can('providers:manage')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const provider = await this.providersService.get(id);
    const form = await parseProviderForm(body, await this.formRules());
    const values = submittedValues(formValues(body));
    if (!form.ok) return this.renderEdit(res, 422, provider, values, form.errors);
    try {
      await this.providersService.update(actorContext(actor, address), provider.id, form.value);
    } catch (error) {
      if (error instanceof ProviderNameTakenError) {
        return this.renderEdit(res, 422, provider, values, ...nameTaken(error));
      }
      throw error;
    }
    flash(req, 'providers.updated');
    return res.redirect(303, PROVIDERS_PATH);
  }

  private async formRules() {
    const districts = await this.districtsService.listAll();
    return { districtCodes: districts.map((d) => d.code) };
  }

  private async renderNew(res: Response, status: number, values: Values, errors?: FormErrors, takenHref?: string) {
    res.status(status).render('providers/form', {
      title: 'providers.newTitle',
      action: PROVIDERS_PATH,
      ...(await this.choices(values)),
      values,
      errors,
      takenHref,
    });
  }

  private async renderEdit(
    res: Response,
    status: number,
    provider: ServiceProvider,
    values: Values,
    errors?: FormErrors,
    takenHref?: string,
  ) {
    res.status(status).render('providers/form', {
      title: 'providers.editTitle',
      editing: true,
      provider: toProviderHeading(provider),
      action: toProviderHeading(provider).action,
      ...(await this.choices(values)),
      values,
      errors,
      takenHref,
    });
  }

  private async choices(values: Values) {
    return {
      domainChoices: domainChoices(values),
      districts: districtOptions(await this.districtsService.listAll()),
    };
  }
}

/** The name error, with a link to the entry that already has the name (a form sent twice finds its entry). */
const nameTaken = (error: ProviderNameTakenError): [FormErrors, string | undefined] => [
  { name: 'providers.errors.nameTaken' },
  error.existingId ? editProviderPath(error.existingId) : undefined,
];
