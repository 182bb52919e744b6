import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import {
  ANONYMOUS_MAX,
  DURATION_MAX,
  parseNewSession,
  parseSessionChanges,
  SESSION_NOTE_MAX,
  SESSION_QUANTITY_MAX,
  SessionFormRules,
} from './group-sessions.forms';
import { GroupSessionsService, InactiveGroupError, SessionRecord } from './group-sessions.service';
import {
  attendeeOptions,
  facilitatorOptions,
  newSessionValues,
  submittedSessionValues,
  toSessionDetail,
  toSessionFormValues,
  toSessionRow,
  topicOptions,
} from './group-sessions.view';
import { dayOf } from '../web/days';
import { GroupsService } from './groups.service';
import { groupPath, sessionPath, sessionTypeOptions } from './groups.view';
import type { PeerGroup } from './peer-group.entity';

type Values = Record<string, unknown> & { attendees: string[]; facilitators: string[]; topics: string[] };

/**
 * Group sessions: logged on a phone in under a minute (date, length, type, topics, facilitators,
 * attendance, others, commodities, "counts as outreach contact", note), opened, changed and deleted
 * (soft) by the group's coordinators or a manager.
 */
@Controller('groups')
export class GroupSessionsController {
  constructor(
    private readonly sessionsService: GroupSessionsService,
    private readonly groupsService: GroupsService,
  ) {}

  @Get(':id/sessions')
  @Can('groups:read')
  async index(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query('page') rawPage: unknown,
    @Res() res: Response,
  ) {
    const group = await this.groupsService.getForActor(actor, id);
    const page = pageOf(rawPage);
    const { rows, total } = await this.sessionsService.listForGroup(group, page);
    res.render('groups/sessions', {
      title: 'groups.sessionsTitle',
      group: { name: group.name, href: groupPath(group.id) },
      sessions: rows.map(toSessionRow),
      pager: pagerView(page, total),
    });
  }

  @Get(':id/sessions/new')
  @Can('groups:write')
  async newPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const group = await this.groupsService.getRunnable(actor, id);
    const coordinators = await this.groupsService.coordinatorsOf(group);
    const values = newSessionValues(
      this.groupsService.today(),
      randomUUID(),
      actor.userId,
      coordinators.some((c) => c.id === actor.userId),
    );
    return this.renderForm(res, 200, group, null, values);
  }

  @Post(':id/sessions')
  @Can('groups:write')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const group = await this.groupsService.getRunnable(actor, id);
    const form = await parseNewSession(body, await this.rules(group, null));
    const values = submittedSessionValues(formValues(body));
    if (!form.ok) {
      // A hidden key that was tampered with: a fresh one lets the coordinator send the form again.
      if (form.errors.submissionKey) values.submissionKey = randomUUID();
      return this.renderForm(res, 422, group, null, values, form.errors, form.errors.submissionKey);
    }
    try {
      const session = await this.sessionsService.record(
        actor,
        actorContext(actor, address),
        group,
        form.value.input,
        form.value.submissionKey,
      );
      flash(req, 'groups.sessionRecorded');
      return res.redirect(303, sessionPath(session.id));
    } catch (error) {
      if (error instanceof InactiveGroupError) {
        return this.renderForm(res, 422, group, null, values, {}, 'groups.errors.inactive');
      }
      throw error;
    }
  }

  @Get('sessions/:id')
  @Can('groups:read')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const record = await this.sessionsService.openForActor(actor, actorContext(actor, address), id);
    const [staff, mayRun] = await Promise.all([
      this.groupsService.facilitatorStaff(record.group, record.session.facilitatorUserIds),
      this.groupsService.canRun(actor, record.group),
    ]);
    res.setHeader('Cache-Control', 'no-store');
    res.render('groups/session', {
      title: 'groups.sessionTitle',
      session: toSessionDetail(record, staff),
      editHref: mayRun ? `${sessionPath(record.session.id)}/edit` : null,
    });
  }

  @Get('sessions/:id/edit')
  @Can('groups:write')
  async editPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const record = await this.sessionsService.getEditable(actor, id);
    return this.renderForm(res, 200, record.group, record, toSessionFormValues(record));
  }

  @Post('sessions/:id')
  @Can('groups:write')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const record = await this.sessionsService.getEditable(actor, id);
    const form = await parseSessionChanges(body, await this.rules(record.group, record));
    if (!form.ok) {
      return this.renderForm(res, 422, record.group, record, submittedSessionValues(formValues(body)), form.errors);
    }
    await this.sessionsService.update(actorContext(actor, address), record, form.value);
    flash(req, 'groups.sessionUpdated');
    return res.redirect(303, sessionPath(record.session.id));
  }

  @Post('sessions/:id/delete')
  @Can('groups:write')
  async remove(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const record = await this.sessionsService.getEditable(actor, id);
    await this.sessionsService.remove(actorContext(actor, address), record);
    flash(req, 'groups.sessionDeleted');
    return res.redirect(303, groupPath(record.group.id));
  }

  /** Today, the founding day, the coordinators (and staff already named), and the members of a day. */
  private async rules(group: PeerGroup, record: SessionRecord | null): Promise<SessionFormRules> {
    const staff = await this.groupsService.facilitatorStaff(group, record?.session.facilitatorUserIds);
    return {
      today: this.groupsService.today(),
      foundedOn: group.foundedOn,
      facilitatorUserIds: staff.map((c) => c.id),
      // Erased clients who came stay ticked (an anonymous fact), and so do restricted ones (their record is
      // read-only): saving the session keeps their attendance.
      membersOn: async (day) => [
        ...(await this.groupsService.membersOn(group, day)).map((m) => m.clientId),
        ...(record?.attendance ?? []).filter((a) => a.displayCode === null || a.restricted).map((a) => a.clientId),
      ],
    };
  }

  private async renderForm(
    res: Response,
    status: number,
    group: PeerGroup,
    record: SessionRecord | null,
    values: Record<string, unknown>,
    errors?: FormErrors,
    formError?: string,
  ) {
    const v = submittedSessionValues(values) as Values;
    // The checklist: members on the day in the form (today for a new session), and anyone already ticked.
    const typed = typeof v.sessionDate === 'string' ? dayOf(v.sessionDate.trim()) : null;
    const today = this.groupsService.today();
    const day = typed && typed <= today ? typed : record ? record.session.sessionDate : today;
    const [members, staff] = await Promise.all([
      this.groupsService.membersOn(group, day),
      this.groupsService.facilitatorStaff(group, record?.session.facilitatorUserIds),
    ]);
    const listed = new Set(members.map((m) => m.clientId));
    const earlier = (record?.attendance ?? [])
      .filter((a) => !listed.has(a.clientId))
      .map((a) => ({
        membershipId: '',
        clientId: a.clientId,
        displayCode: a.displayCode,
        role: 'member' as const,
        joinedOn: '',
        leftOn: null,
        lastAttended: null,
      }));
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('groups/session-form', {
      title: record ? 'groups.editSessionTitle' : 'groups.newSessionTitle',
      editing: record !== null,
      group: { name: group.name, href: groupPath(group.id) },
      action: record ? sessionPath(record.session.id) : `${groupPath(group.id)}/sessions`,
      cancelHref: record ? sessionPath(record.session.id) : groupPath(group.id),
      deleteAction: record ? `${sessionPath(record.session.id)}/delete` : null,
      today,
      foundedOn: group.foundedOn,
      limits: {
        duration: DURATION_MAX,
        anonymous: ANONYMOUS_MAX,
        quantity: SESSION_QUANTITY_MAX,
        note: SESSION_NOTE_MAX,
      },
      sessionTypes: sessionTypeOptions(),
      topics: topicOptions(v.topics),
      attendees: attendeeOptions([...members, ...earlier], v.attendees),
      facilitators: facilitatorOptions(staff, members, v.facilitators),
      values: v,
      errors,
      formError,
    });
  }
}
