import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { ClientsService } from '../clients/clients.service';
import { sexOptions, toTimelineRow } from '../clients/clients.view';
import { dayOf } from '../web/days';
import { ContactsService } from '../contacts/contacts.service';
import { DistrictsService } from '../geography/districts.service';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { isUuid } from '../web/form-rules';
import { GroupSessionsService } from './group-sessions.service';
import { toActivityView, toSessionRow } from './group-sessions.view';
import {
  GroupFormRules,
  MemberLookup,
  MembershipInput,
  parseAddByCode,
  parseAddByUic,
  parseGroupChanges,
  parseLeaving,
  parseNewGroup,
  parseRoleChange,
} from './groups.forms';
import { GroupNameTakenError, GroupsService } from './groups.service';
import {
  coordinatorOptions,
  districtNames,
  districtOptions,
  groupActions,
  groupPath,
  GROUPS,
  kindOptions,
  membershipPath,
  newGroupValues,
  newMemberValues,
  roleOptions,
  sessionPath,
  toClientMembership,
  toFiguresView,
  toGroupDetail,
  toGroupFormValues,
  toGroupRow,
  toMemberRow,
  toMembershipView,
} from './groups.view';
import type { GroupMembership, PeerGroup } from './peer-group.entity';
import { yearStart } from './periods';

type Values = Record<string, unknown>;

/** Member pages carry display codes and attendance: not kept by the browser or a proxy. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/**
 * Peer groups, self-help groups and clubs: the list, the group page (members, figures, follow-up),
 * the group itself (managers), its members (coordinators and managers), a member's page, and the
 * activity across organizations (managers, aggregates only).
 */
@Controller('groups')
export class GroupsController {
  constructor(
    private readonly groupsService: GroupsService,
    private readonly sessionsService: GroupSessionsService,
    private readonly clientsService: ClientsService,
    private readonly contactsService: ContactsService,
    private readonly districtsService: DistrictsService,
  ) {}

  @Get()
  @Can('groups:read')
  async index(@CurrentActor() actor: Actor, @Res() res: Response) {
    const [rows, districts] = await Promise.all([
      this.groupsService.listVisible(actor),
      this.districtsService.listAll(),
    ]);
    const names = districtNames(districts);
    res.render('groups/index', {
      title: 'groups.title',
      groups: rows.map((row) => toGroupRow(row, names)),
      newHref: actor.permissions.has('groups:manage') ? `${GROUPS}/new` : null,
      activityHref: actor.permissions.has('groups:report') ? `${GROUPS}/activity` : null,
    });
  }

  @Get('new')
  @Can('groups:manage')
  newPage(@CurrentActor() actor: Actor, @Res() res: Response) {
    return this.renderGroupForm(res, 200, actor, null, newGroupValues(this.groupsService.today(), randomUUID()));
  }

  @Post()
  @Can('groups:manage')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const values = formValues(body);
    const form = await parseNewGroup(body, await this.groupRules(actor, null));
    if (!form.ok) {
      if (form.errors.submissionKey) values.submissionKey = randomUUID();
      return this.renderGroupForm(res, 422, actor, null, values, form.errors, form.errors.submissionKey);
    }
    try {
      const group = await this.groupsService.create(
        actor,
        actorContext(actor, address),
        form.value.input,
        form.value.submissionKey,
      );
      flash(req, 'groups.created');
      return res.redirect(303, groupPath(group.id));
    } catch (error) {
      if (error instanceof GroupNameTakenError) {
        return this.renderGroupForm(res, 422, actor, null, values, { name: 'groups.errors.nameTaken' });
      }
      throw error;
    }
  }

  /** Group activity across the organizations a manager oversees: aggregates only, small cells hidden. */
  @Get('activity')
  @Can('groups:report')
  async activity(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ) {
    const today = this.groupsService.today();
    const errors: FormErrors = {};
    const read = (name: 'from' | 'to', fallback: string) => {
      const raw = query[name];
      if (raw === undefined || raw === '') return fallback;
      const day = typeof raw === 'string' ? dayOf(raw.trim()) : null;
      if (!day || day < '2000-01-01') {
        errors[name] = 'validation.date';
        return fallback;
      }
      return day;
    };
    const from = read('from', yearStart(today));
    let to = read('to', today);
    if (to < from) {
      errors.to = 'groups.errors.periodOrder';
      to = today < from ? from : today;
    }
    const [table, districts] = await Promise.all([
      this.sessionsService.activity(actor, actorContext(actor, address), from, to),
      this.districtsService.listAll(),
    ]);
    res.render('groups/activity', {
      title: 'groups.activityTitle',
      values: { from, to },
      errors,
      activity: toActivityView(table, districtNames(districts)),
    });
  }

  /** A member's page for those who run groups: memberships, sessions attended, the actor's own peer contacts. */
  @Get('members/:id')
  @Can('groups:read')
  async memberPage(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const client = await this.clientsService.openForActor(actor, actorContext(actor, address), id);
    const memberships = await this.groupsService.membershipsOfClient(actor, client);
    const groupIds = [...new Set(memberships.map((m) => m.groupId))];
    const names = new Map(memberships.map((m) => [m.groupId, m.groupName]));
    const [attended, contacts, districts] = await Promise.all([
      this.sessionsService.attendedBy(client.id, groupIds),
      this.contactsService.recentByActorForClient(actor, client),
      this.districtsService.listAll(),
    ]);
    noStore(res);
    res.render('groups/member', {
      title: 'groups.memberTitle',
      displayCode: client.displayCode ?? '',
      clientHref: actor.permissions.has('clients:read') ? `/clients/${client.id}` : null,
      recordContactHref: actor.permissions.has('contacts:write') ? `/clients/${client.id}/contacts/new` : null,
      memberships: memberships.map(toClientMembership),
      sessions: attended.map((s) => ({
        href: sessionPath(s.id),
        sessionDate: s.sessionDate,
        typeKey: `codes.sessionType.${s.sessionType}`,
        groupName: names.get(s.groupId) ?? '',
        facilitated: s.facilitated,
      })),
      contacts: contacts.map((c) => toTimelineRow(c, districtNames(districts), this.contactsService.canEdit(actor, c))),
    });
  }

  @Get(':id')
  @Can('groups:read')
  async show(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const group = await this.groupsService.openForActor(actor, actorContext(actor, address), id);
    const [coordinators, members, districts, mayRun, sessions] = await Promise.all([
      this.groupsService.coordinatorsOf(group),
      this.groupsService.membersOf(group),
      this.districtsService.listAll(),
      this.groupsService.canRun(actor, group),
      this.sessionsService.listForGroup(group, { page: 1, offset: 0, limit: 10 }),
    ]);
    const figures = await this.groupsService.figures(group, members);
    noStore(res);
    res.render('groups/show', {
      title: 'groups.showTitle',
      group: toGroupDetail(group, districtNames(districts), coordinators),
      actions: groupActions(actor, group, mayRun),
      figures: toFiguresView(figures),
      followUp: figures.followUp.map((m) => toMemberRow(group.id, m, mayRun)),
      members: members.filter((m) => m.leftOn === null).map((m) => toMemberRow(group.id, m, mayRun)),
      former: members.filter((m) => m.leftOn !== null).map((m) => toMemberRow(group.id, m, mayRun)),
      sessions: sessions.rows.map(toSessionRow),
      allSessionsHref: sessions.total > sessions.rows.length ? `${groupPath(group.id)}/sessions` : null,
    });
  }

  @Get(':id/edit')
  @Can('groups:manage')
  async editPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const group = await this.groupsService.getForActor(actor, id);
    const coordinators = await this.groupsService.coordinatorsOf(group);
    const values = toGroupFormValues(
      group,
      coordinators.map((c) => c.id),
    );
    return this.renderGroupForm(res, 200, actor, group, values);
  }

  @Post(':id/edit')
  @Can('groups:manage')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const group = await this.groupsService.getForActor(actor, id);
    const values = formValues(body);
    const form = await parseGroupChanges(body, await this.groupRules(actor, group));
    if (!form.ok) return this.renderGroupForm(res, 422, actor, group, values, form.errors);
    try {
      await this.groupsService.update(actor, actorContext(actor, address), group, form.value);
    } catch (error) {
      if (error instanceof GroupNameTakenError) {
        return this.renderGroupForm(res, 422, actor, group, values, { name: 'groups.errors.nameTaken' });
      }
      throw error;
    }
    flash(req, 'groups.updated');
    return res.redirect(303, groupPath(group.id));
  }

  // -- members --------------------------------------------------------------------------------

  @Get(':id/members/new')
  @Can('groups:write')
  async addMemberPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    const group = await this.groupsService.getRunnable(actor, id);
    return this.renderAddMember(res, 200, group, newMemberValues(this.groupsService.today(), randomUUID()));
  }

  /** Adding a member by the display code on their card. */
  @Post(':id/members')
  @Can('groups:write')
  async addByCode(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const group = await this.groupsService.getRunnable(actor, id);
    const rules = { today: this.groupsService.today(), foundedOn: group.foundedOn };
    const form = await parseAddByCode(body, rules);
    return this.addMember(actor, address, group, body, form, 'code', req, res);
  }

  /** Adding a member by the five parts of their code: POST only, so the parts never reach a URL. */
  @Post(':id/members/find')
  @Can('groups:write')
  async addByUic(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    noStore(res);
    const group = await this.groupsService.getRunnable(actor, id);
    const rules = { today: this.groupsService.today(), foundedOn: group.foundedOn };
    const form = await parseAddByUic(body, rules);
    return this.addMember(actor, address, group, body, form, 'uic', req, res);
  }

  @Get(':id/members/:membershipId')
  @Can('groups:write')
  async membershipPage(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('membershipId') membershipId: string,
    @Res() res: Response,
  ) {
    const { group, membership } = await this.loadMembership(actor, id, membershipId);
    return this.renderMembership(res, 200, group, membership, {
      role: membership.role,
      leftOn: this.groupsService.today(),
    });
  }

  @Post(':id/members/:membershipId/role')
  @Can('groups:write')
  async changeRole(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Param('membershipId') membershipId: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { group, membership } = await this.loadMembership(actor, id, membershipId);
    const form = await parseRoleChange(body);
    if (!form.ok) {
      const values = { ...formValues(body), leftOn: this.groupsService.today() };
      return this.renderMembership(res, 422, group, membership, values, form.errors);
    }
    await this.groupsService.changeRole(actorContext(actor, address), membership, form.value);
    flash(req, 'groups.roleChanged');
    return res.redirect(303, groupPath(group.id));
  }

  @Post(':id/members/:membershipId/leave')
  @Can('groups:write')
  async leave(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Param('membershipId') membershipId: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { group, membership } = await this.loadMembership(actor, id, membershipId);
    const form = parseLeaving(body, {
      today: this.groupsService.today(),
      joinedOn: membership.joinedOn,
      lastAttended: await this.groupsService.lastAttendedDuring(membership),
    });
    if (!form.ok) {
      const values = { ...formValues(body), role: membership.role };
      return this.renderMembership(res, 422, group, membership, values, form.errors);
    }
    await this.groupsService.recordLeaving(actorContext(actor, address), membership, form.value);
    flash(req, 'groups.memberLeft');
    return res.redirect(303, groupPath(group.id));
  }

  // -- helpers ----------------------------------------------------------------------------------

  private async addMember(
    actor: Actor,
    address: string | null,
    group: PeerGroup,
    body: unknown,
    form: Awaited<ReturnType<typeof parseAddByCode>>,
    method: 'code' | 'uic',
    req: Request,
    res: Response,
  ) {
    const values = formValues(body);
    if (!form.ok) {
      if (form.errors.submissionKey) values.submissionKey = randomUUID();
      return this.renderAddMember(res, 422, group, values, form.errors, method, form.errors.submissionKey);
    }
    const { lookup, membership } = form.value as { lookup: MemberLookup; membership: MembershipInput };
    const outcome = await this.groupsService.addMember(actor, actorContext(actor, address), group, lookup, membership);
    if (outcome.kind === 'refused') {
      return this.renderAddMember(res, 422, group, values, { [outcome.field]: outcome.messageKey }, method);
    }
    flash(req, 'groups.memberAdded');
    return res.redirect(303, groupPath(group.id));
  }

  private async loadMembership(actor: Actor, id: string, membershipId: string) {
    const group = await this.groupsService.getRunnable(actor, id);
    const membership = await this.groupsService.getCurrentMembership(group, membershipId);
    return { group, membership };
  }

  /** Today, the active districts (plus an edited group's own), and who may coordinate. */
  private async groupRules(actor: Actor, group: PeerGroup | null): Promise<GroupFormRules> {
    const [active, candidates, current, latest] = await Promise.all([
      this.districtsService.listActive(),
      this.groupsService.coordinatorCandidates(actor),
      group ? this.groupsService.coordinatorsOf(group) : Promise.resolve([]),
      group ? this.groupsService.earliestActivity(group) : Promise.resolve(null),
    ]);
    const districtCodes = active.map((d) => d.code);
    if (group && !districtCodes.includes(group.districtCode)) districtCodes.push(group.districtCode);
    return {
      today: this.groupsService.today(),
      districtCodes,
      // A coordinator who is no longer active may stay on a group until a manager removes them.
      coordinatorIds: [...new Set([...candidates.map((c) => c.id), ...current.map((c) => c.id)])],
      latestFoundedOn: latest,
    };
  }

  private async renderGroupForm(
    res: Response,
    status: number,
    actor: Actor,
    group: PeerGroup | null,
    values: Values,
    errors?: FormErrors,
    formError?: string,
  ) {
    const [all, candidates, current] = await Promise.all([
      this.districtsService.listAll(),
      this.groupsService.coordinatorCandidates(actor),
      group ? this.groupsService.coordinatorsOf(group) : Promise.resolve([]),
    ]);
    const districts = all.filter((d) => d.active || d.code === group?.districtCode);
    const people = [...candidates, ...current.filter((c) => !candidates.some((k) => k.id === c.id))];
    res.status(status).render('groups/form', {
      title: group ? 'groups.editTitle' : 'groups.newTitle',
      editing: group !== null,
      action: group ? `${groupPath(group.id)}/edit` : GROUPS,
      cancelHref: group ? groupPath(group.id) : GROUPS,
      today: this.groupsService.today(),
      kinds: kindOptions(),
      districts: districtOptions(districts),
      coordinators: coordinatorOptions(people, values.coordinators),
      values,
      errors,
      formError,
    });
  }

  private renderAddMember(
    res: Response,
    status: number,
    group: PeerGroup,
    values: Values,
    errors?: FormErrors,
    method: 'code' | 'uic' = 'code',
    formError?: string,
  ) {
    noStore(res);
    // Both forms share the role, the day and a fresh key; the one used keeps what was typed.
    const key = isUuid(values.submissionKey) ? values.submissionKey : randomUUID();
    res.status(status).render('groups/member-new', {
      title: 'groups.addMemberTitle',
      group: { name: group.name, href: groupPath(group.id) },
      codeAction: `${groupPath(group.id)}/members`,
      uicAction: `${groupPath(group.id)}/members/find`,
      today: this.groupsService.today(),
      foundedOn: group.foundedOn,
      roles: roleOptions(),
      sexes: sexOptions(),
      uicOpen: method === 'uic',
      codeValues:
        method === 'code' ? { ...values, submissionKey: key } : { ...this.common(values), submissionKey: key },
      uicValues: method === 'uic' ? { ...values, submissionKey: key } : { ...this.common(values), submissionKey: key },
      codeErrors: method === 'code' ? errors : undefined,
      uicErrors: method === 'uic' ? errors : undefined,
      errors,
      formError,
    });
  }

  private common(values: Values): Values {
    return { role: values.role ?? 'member', joinedOn: values.joinedOn ?? this.groupsService.today() };
  }

  private renderMembership(
    res: Response,
    status: number,
    group: PeerGroup,
    membership: GroupMembership,
    values: Values,
    errors?: FormErrors,
  ) {
    res.status(status).render('groups/membership', {
      title: 'groups.membershipTitle',
      group: { name: group.name, href: groupPath(group.id) },
      member: toMembershipView(membership),
      roleAction: `${membershipPath(group.id, membership.id)}/role`,
      leaveAction: `${membershipPath(group.id, membership.id)}/leave`,
      today: this.groupsService.today(),
      roles: roleOptions(),
      values,
      errors,
    });
  }
}
