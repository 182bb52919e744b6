import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { DistrictsService } from '../geography/districts.service';
import { Language, translate } from '../i18n/i18n';
import { DOMAINS } from '../reference/codes';
import { fieldsOf, FormErrors } from '../web/form';
import { CONTENT_TYPES, exportFileName, toCsv, toXlsx } from './indicator-files';
import { parseExportRequest, parseFilters, ParsedFilters } from './indicators.forms';
import { ALL, IndicatorScope, IndicatorsService } from './indicators.service';
import {
  districtOptions,
  EXPORT_PATH,
  INDICATORS_PATH,
  organizationOptions,
  periodOptions,
  REPORT_PATH,
  toAccessChartJson,
  toAccessRows,
  toDistrictRows,
  toFigure,
  toOutcomeTable,
  toReachChart,
} from './indicators.view';

/**
 * The indicators of MISSION §5: the dashboard (full for managers and admins, the headline figures of
 * their own organization for workers and coordinators), the printable report and the export.
 */
@Controller('indicators')
export class IndicatorsController {
  constructor(
    private readonly indicatorsService: IndicatorsService,
    private readonly districtsService: DistrictsService,
  ) {}

  @Get()
  @Can('indicators:view')
  async dashboard(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Query() query: unknown,
    @Res() res: Response,
  ) {
    const page = await this.page(actor, query, res.locals.lang as Language);
    await this.indicatorsService.recordView(
      actorContext(actor, address),
      page.scope,
      page.filters.filters.period,
      'indicators.viewed',
    );
    return res.render('indicators/index', page.model);
  }

  @Get('report')
  @Can('indicators:view')
  async report(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Query() query: unknown,
    @Res() res: Response,
  ) {
    const page = await this.page(actor, query, res.locals.lang as Language);
    await this.indicatorsService.recordView(
      actorContext(actor, address),
      page.scope,
      page.filters.filters.period,
      'indicators.report_printed',
    );
    return res.render('indicators/report', {
      ...page.model,
      author: actor.username,
      printedOn: this.indicatorsService.today(),
    });
  }

  /** POST: the reason of an unsuppressed export is free text, which never goes in a URL. */
  @Post('export')
  @Can('indicators:view')
  async export(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    const request = parseExportRequest(body, actor.permissions.has('indicators:unsuppressed'));
    const filters = await this.filtersOf(actor, body);
    const filterErrors = Object.keys(filters.errors).length > 0;
    if (!request.ok || filterErrors) {
      const page = await this.page(actor, body, res.locals.lang as Language);
      const exportErrors: FormErrors = request.ok ? {} : request.errors;
      const source = fieldsOf(body);
      return res.status(422).render('indicators/index', {
        ...page.model,
        exportErrors,
        exportValues: { format: source.format, unsuppressed: source.unsuppressed, reason: source.reason },
      });
    }
    const scope = await this.indicatorsService.scopeFor(actor, filters.filters.organizationId);
    const { period } = filters.filters;
    const rows = await this.indicatorsService.export(actorContext(actor, address), scope, period, request.value);
    const { format } = request.value;
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(period.start, period.end, format)}"`);
    res.setHeader('Cache-Control', 'no-store');
    return res.status(200).send(format === 'xlsx' ? await toXlsx(rows) : toCsv(rows));
  }

  // -- the page model shared by the dashboard and the report -------------------------------------

  private async filtersOf(
    actor: Actor,
    query: unknown,
  ): Promise<ParsedFilters & { scope: IndicatorScope; districtCodes: string[] }> {
    const [scope, districts] = await Promise.all([
      this.indicatorsService.scopeFor(actor),
      this.districtsService.listAll(),
    ]);
    const districtCodes = districts.map((d) => d.code);
    const parsed = parseFilters(query, {
      today: this.indicatorsService.today(),
      organizationIds: scope.organizations.map((o) => o.id),
      districtCodes,
    });
    return { ...parsed, scope, districtCodes };
  }

  private async page(actor: Actor, query: unknown, lang: Language) {
    const filters = await this.filtersOf(actor, query);
    const all = filters.scope;
    const { period, organizationId, district } = filters.filters;
    const scope = organizationId ? await this.indicatorsService.scopeFor(actor, organizationId) : all;
    const districts = await this.districtsService.listAll();
    const data = await this.indicatorsService.dashboard(actor, scope, period);
    const { table, threshold } = data.figures;
    const focus = district ?? ALL;
    const access = toAccessRows(table, focus);
    const full = actor.role === 'manager' || actor.role === 'admin';
    const providerKeys = [...new Set(data.byProvider.map((r) => r.key))].sort((a, b) => a.localeCompare(b, 'vi'));
    return {
      filters,
      scope,
      model: {
        title: 'indicators.title',
        full,
        period,
        values: filters.values,
        errors: filters.errors,
        periods: periodOptions(period),
        organizations: all.organizations.length > 1 ? organizationOptions(all.organizations) : null,
        organizationNames: scope.organizations.map((o) => o.name),
        programWide: scope.programWide,
        districts: districtOptions(districts),
        districtName: district ? districts.find((d) => d.code === district)?.name : null,
        threshold,
        headline: {
          reach: toFigure(table.get('reach_contacts', focus)),
          reached: toFigure(table.get('reached_clients', focus)),
          access: toFigure(table.get('access_rate', focus)),
          made: toFigure(table.get('referrals_made', focus)),
          completed: toFigure(table.get('referrals_completed', focus)),
        },
        progress: data.progress,
        reachChart: toReachChart(data.progress, threshold),
        accessTarget: `${Math.round(data.accessTarget * 1000) / 10}%`,
        access,
        accessChart: toAccessChartJson(
          access,
          data.accessTarget,
          access.map((a) => translate(lang, a.labelKey)),
        ),
        districtRows: toDistrictRows(table, districts, district),
        byDomain: toOutcomeTable(data.byDomain, [...DOMAINS], threshold, (key) => ({
          labelKey: `codes.domain.${key}`,
        })),
        byProvider: providerKeys.length
          ? toOutcomeTable(data.byProvider, providerKeys, threshold, (key) =>
              key ? { label: key } : { labelKey: 'indicators.noProvider' },
            )
          : null,
        followUps: data.followUps,
        // Suppressed like every other figure: counts of people in groups are small by nature.
        groups: {
          sessions: table.get('group_sessions', focus).value,
          members: table.get('group_members_reached', focus).value,
        },
        mayUnsuppress: actor.permissions.has('indicators:unsuppressed'),
        exportValues: { format: 'csv' },
        exportErrors: {},
        indicatorsPath: INDICATORS_PATH,
        reportPath: REPORT_PATH,
        exportPath: EXPORT_PATH,
        reportQuery: new URLSearchParams(
          Object.entries(filters.values).filter(([, v]) => v !== '') as Array<[string, string]>,
        ).toString(),
      },
    };
  }
}
