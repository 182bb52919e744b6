import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { DistrictsService } from '../geography/districts.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import type { Target } from './target.entity';
import { parseTargetForm, parseYear, PROGRAM_SCOPE, TargetFormRules } from './targets.forms';
import { TargetScopeTakenError, TargetsService } from './targets.service';
import {
  DEFAULTS_VIEW,
  deleteTargetPath,
  districtNames,
  districtOptions,
  editTargetPath,
  newTargetPath,
  newTargetValues,
  scopeOptions,
  TARGETS_PATH,
  toInForce,
  toTargetFormValues,
  toTargetRow,
  yearNavigation,
  yearPath,
} from './targets.view';

type Values = Record<string, unknown>;

/**
 * Yearly targets: the list of a year, and the form to set, change or remove one. Administrators set
 * program-wide targets and those of any organization; managers those of their own organization.
 */
@Controller('targets')
export class TargetsController {
  constructor(
    private readonly targetsService: TargetsService,
    private readonly organizationsService: OrganizationsService,
    private readonly districtsService: DistrictsService,
  ) {}

  @Get()
  @Can('targets:manage')
  async index(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const errors: FormErrors = {};
    let year = this.targetsService.currentYear();
    if (query.year !== undefined && query.year !== '') {
      const asked = parseYear(query.year);
      if (asked === null) errors.year = 'targets.errors.year';
      else year = asked;
    }
    const program = actor.role === 'admin';
    const [rows, districts, inForce] = await Promise.all([
      this.targetsService.listForYear(actor, year),
      this.districtsService.listAll(),
      this.targetsService.resolve(year, program ? 'all' : [actor.organizationId]),
    ]);
    const names = districtNames(districts);
    res.render('targets/index', {
      title: 'targets.title',
      ...yearNavigation(year),
      values: { year: errors.year ? String(query.year) : String(year) },
      errors,
      targets: rows.map((row) => toTargetRow(row, names, this.targetsService.mayChange(actor, row.organizationId))),
      defaults: DEFAULTS_VIEW,
      inForce: toInForce(inForce, program ? 'targets.inForceProgram' : 'targets.inForceOrganization'),
      newHref: newTargetPath(year),
    });
  }

  @Get('new')
  @Can('targets:manage')
  async newPage(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const year = parseYear(query.year) ?? this.targetsService.currentYear();
    const scope = actor.role === 'admin' ? PROGRAM_SCOPE : actor.organizationId;
    return this.renderForm(res, 200, actor, null, newTargetValues(year, scope));
  }

  @Post('new')
  @Can('targets:manage')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const values = formValues(body);
    const form = await parseTargetForm(body, await this.formRules(actor, null));
    if (!form.ok) return this.renderForm(res, 422, actor, null, values, form.errors);
    try {
      await this.targetsService.create(actor, actorContext(actor, address), form.value);
    } catch (error) {
      if (error instanceof TargetScopeTakenError) return this.renderTaken(res, actor, null, values, error);
      throw error;
    }
    flash(req, 'targets.saved');
    return res.redirect(303, yearPath(form.value.year));
  }

  @Get(':id/edit')
  @Can('targets:manage')
  async editPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const target = await this.targetsService.getChangeable(actor, id);
    return this.renderForm(res, 200, actor, target, toTargetFormValues(target));
  }

  @Post(':id/edit')
  @Can('targets:manage')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const target = await this.targetsService.getChangeable(actor, id);
    const values = formValues(body);
    const form = await parseTargetForm(body, await this.formRules(actor, target));
    if (!form.ok) return this.renderForm(res, 422, actor, target, values, form.errors);
    try {
      await this.targetsService.update(actor, actorContext(actor, address), target, form.value);
    } catch (error) {
      if (error instanceof TargetScopeTakenError) return this.renderTaken(res, actor, target, values, error);
      throw error;
    }
    flash(req, 'targets.saved');
    return res.redirect(303, yearPath(form.value.year));
  }

  @Post(':id/delete')
  @Can('targets:manage')
  async remove(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const target = await this.targetsService.getChangeable(actor, id);
    await this.targetsService.remove(actor, actorContext(actor, address), target);
    flash(req, 'targets.deleted');
    return res.redirect(303, yearPath(target.year));
  }

  /** The scopes and districts the actor may choose (an edited target keeps its own, even if inactive). */
  private async formChoices(actor: Actor, target: Target | null) {
    const authority = this.targetsService.authorityOf(actor);
    const [organizations, active] = await Promise.all([
      authority.organizations === 'all'
        ? this.organizationsService.listActive()
        : this.organizationsService.findByIds(authority.organizations),
      this.districtsService.listActive(),
    ]);
    const districts = [...active];
    if (target?.organizationId && !organizations.some((o) => o.id === target.organizationId)) {
      organizations.push(...(await this.organizationsService.findByIds([target.organizationId])));
    }
    if (target?.districtCode && !districts.some((d) => d.code === target.districtCode)) {
      districts.push(await this.districtsService.get(target.districtCode));
    }
    return { program: authority.program, organizations, districts };
  }

  private async formRules(actor: Actor, target: Target | null): Promise<TargetFormRules> {
    const { program, organizations, districts } = await this.formChoices(actor, target);
    return {
      program,
      organizationIds: organizations.map((o) => o.id),
      districtCodes: districts.map((d) => d.code),
    };
  }

  private renderTaken(
    res: Response,
    actor: Actor,
    target: Target | null,
    values: Values,
    error: TargetScopeTakenError,
  ) {
    const existingHref = error.existingId && error.existingId !== target?.id ? editTargetPath(error.existingId) : null;
    return this.renderForm(res, 422, actor, target, values, {}, 'targets.errors.duplicate', existingHref);
  }

  private async renderForm(
    res: Response,
    status: number,
    actor: Actor,
    target: Target | null,
    values: Values,
    errors?: FormErrors,
    formError?: string,
    existingHref?: string | null,
  ) {
    const { program, organizations, districts } = await this.formChoices(actor, target);
    const year = parseYear(values.year) ?? target?.year ?? this.targetsService.currentYear();
    res.status(status).render('targets/form', {
      title: target ? 'targets.editTitle' : 'targets.newTitle',
      editing: target !== null,
      action: target ? editTargetPath(target.id) : `${TARGETS_PATH}/new`,
      deleteAction: target ? deleteTargetPath(target.id) : null,
      backHref: yearPath(target?.year ?? year),
      scopes: scopeOptions(program, organizations),
      districts: districtOptions(districts),
      defaults: DEFAULTS_VIEW,
      values,
      errors: errors && Object.keys(errors).length > 0 ? errors : undefined,
      formError,
      existingHref,
    });
  }
}
