import { Controller, Get, Param, Query, Render } from '@nestjs/common';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { pageOf, pagerView } from '../web/pagination';
import { parseAuditFilters } from './audit.forms';
import { actorContext, AuditService } from './audit.service';
import { toActionOptions, toAuditDetail, toAuditRow } from './audit.view';

export const AUDIT_PAGE_SIZE = 50;

/** The audit viewer: admins read the whole trail, managers the events of the organizations they oversee. */
@Controller('audit')
export class AuditController {
  constructor(private readonly auditService: AuditService) {}

  @Get()
  @Can('audit:read')
  @Render('audit/index')
  async index(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Query() query: Record<string, unknown>,
  ) {
    const filters = await parseAuditFilters(query);
    const page = pageOf(query.page, AUDIT_PAGE_SIZE);
    const { rows, total } = await this.auditService.viewTrail(actorContext(actor, address), actor, {
      ...filters.criteria,
      offset: page.offset,
      limit: page.limit,
    });
    return {
      title: 'audit.title',
      events: rows.map(toAuditRow),
      pager: pagerView(page, total, filters.query),
      actionOptions: toActionOptions(),
      values: filters.values,
      errors: filters.errors,
    };
  }

  @Get(':id')
  @Can('audit:read')
  @Render('audit/show')
  async show(@CurrentActor() actor: Actor, @RequestAddress() address: string | null, @Param('id') id: string) {
    const event = await this.auditService.viewEvent(actorContext(actor, address), actor, id);
    return { title: 'audit.detailTitle', event: toAuditDetail(event) };
  }
}
