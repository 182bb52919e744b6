import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { OrganizationsService } from '../organizations/organizations.service';
import { flash } from '../web/flash';
import { FormErrors, formValues, parseForm } from '../web/form';
import { pageOf, pagerView } from '../web/pagination';
import type { User } from './user.entity';
import { asList } from '../web/form-rules';
import { CreateUserForm, UpdateUserForm } from './users.forms';
import {
  OwnRoleChangeError,
  SelfDeactivationError,
  UnknownOrganizationError,
  UsernameTakenError,
  UsersService,
} from './users.service';
import {
  grantOptions,
  organizationOptions,
  roleOptions,
  toTemporaryPasswordView,
  toUserDetail,
  toUserRow,
  userPath,
} from './users.view';

interface EditValues {
  role: unknown;
  organizationId: unknown;
  grantedOrganizationIds: string[];
}

/** The administrator's account pages. Every route is for admins only (users:manage). */
@Controller('admin/users')
export class UsersController {
  constructor(
    private readonly usersService: UsersService,
    private readonly organizationsService: OrganizationsService,
  ) {}

  @Get()
  @Can('users:manage')
  @Render('users/index')
  async index(@Query('page') rawPage?: string) {
    const page = pageOf(rawPage);
    const { rows, total } = await this.usersService.list(page);
    return { title: 'users.title', users: rows.map(toUserRow), pager: pagerView(page, total) };
  }

  @Get('new')
  @Can('users:manage')
  newPage(@Res() res: Response) {
    return this.renderNew(res, 200, {});
  }

  @Post()
  @Can('users:manage')
  async create(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    const form = await parseForm(CreateUserForm, body);
    if (!form.ok) return this.renderNew(res, 422, formValues(body), form.errors);
    try {
      const { user, temporaryPassword } = await this.usersService.create(actorContext(actor, address), form.value);
      return this.renderTemporaryPassword(res, 201, user, 'created', temporaryPassword!);
    } catch (error) {
      if (error instanceof UsernameTakenError)
        return this.renderNew(res, 422, formValues(body), { username: 'users.usernameTaken' });
      if (error instanceof UnknownOrganizationError)
        return this.renderNew(res, 422, formValues(body), { organizationId: 'validation.organization' });
      throw error;
    }
  }

  @Get(':id')
  @Can('users:manage')
  async edit(@Param('id') id: string, @Res() res: Response) {
    const user = await this.usersService.get(id);
    const grantedOrganizationIds = await this.usersService.grantsOf(user.id);
    return this.renderEdit(res, 200, user, {
      role: user.role,
      organizationId: user.organizationId,
      grantedOrganizationIds,
    });
  }

  @Post(':id')
  @Can('users:manage')
  async update(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const user = await this.usersService.get(id);
    const form = await parseForm(UpdateUserForm, body);
    const submitted = formValues(body);
    const values = { ...submitted, grantedOrganizationIds: asList(submitted.grantedOrganizationIds) } as EditValues;
    if (!form.ok) return this.renderEdit(res, 422, user, values, form.errors);
    try {
      await this.usersService.update(actorContext(actor, address), user.id, form.value);
    } catch (error) {
      if (error instanceof UnknownOrganizationError)
        return this.renderEdit(res, 422, user, values, { [error.field]: 'validation.organization' });
      if (error instanceof OwnRoleChangeError)
        return this.renderEdit(res, 422, user, values, { role: 'users.cannotChangeOwnRole' });
      throw error;
    }
    flash(req, 'users.updated');
    return res.redirect(303, userPath(user.id));
  }

  @Post(':id/reset-password')
  @Can('users:manage')
  async resetPassword(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Res() res: Response,
  ) {
    const user = await this.usersService.get(id);
    const password = await this.usersService.resetPassword(actorContext(actor, address), user.id);
    return this.renderTemporaryPassword(res, 200, user, 'reset', password);
  }

  @Post(':id/deactivate')
  @Can('users:manage')
  deactivate(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.accountAction(req, res, id, 'users.deactivated', async (userId) => {
      try {
        await this.usersService.setActive(actorContext(actor, address), userId, false);
      } catch (error) {
        if (!(error instanceof SelfDeactivationError)) throw error;
        return 'users.cannotDeactivateSelf';
      }
    });
  }

  @Post(':id/activate')
  @Can('users:manage')
  activate(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.accountAction(req, res, id, 'users.activated', (userId) =>
      this.usersService.setActive(actorContext(actor, address), userId, true),
    );
  }

  @Post(':id/reset-totp')
  @Can('users:manage')
  resetTotp(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.accountAction(req, res, id, 'users.totpReset', (userId) =>
      this.usersService.resetTotp(actorContext(actor, address), userId),
    );
  }

  @Post(':id/sign-out')
  @Can('users:manage')
  signOutEverywhere(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.accountAction(req, res, id, 'users.signedOut', (userId) =>
      this.usersService.signOutEverywhere(actorContext(actor, address), userId),
    );
  }

  /** The one-button actions of the edit page: 404 for an unknown account, then a flash and back to the page.
   *  `act` may return an error message key instead of succeeding. */
  private async accountAction(
    req: Request,
    res: Response,
    id: string,
    doneKey: string,
    act: (userId: string) => Promise<string | void>,
  ) {
    const user = await this.usersService.get(id);
    const errorKey = await act(user.id);
    if (errorKey) flash(req, errorKey, 'error');
    else flash(req, doneKey);
    return res.redirect(303, userPath(user.id));
  }

  private async renderNew(res: Response, status: number, values: Record<string, unknown>, errors?: FormErrors) {
    const organizations = await this.organizationsService.listActive();
    res.status(status).render('users/new', {
      title: 'users.new',
      roles: roleOptions(),
      organizations: organizationOptions(organizations),
      values,
      errors,
    });
  }

  /**
   * Not post-redirect-get, on purpose: to survive a redirect the temporary password would have to be
   * kept in the session, which is a row in the database, and it must never be stored anywhere but as
   * a hash. It is shown once, in the answer to the POST, and `no-store` keeps it out of every cache
   * (including the back button's). Submitting again creates nothing (the username is taken) or hands
   * out yet another temporary password (reset), which is audited like the first.
   */
  private renderTemporaryPassword(
    res: Response,
    status: number,
    user: User,
    reason: 'created' | 'reset',
    password: string,
  ) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('users/created', {
      title: 'users.createdTitle',
      account: toTemporaryPasswordView(user, reason, password),
    });
  }

  private async renderEdit(res: Response, status: number, user: User, values: EditValues, errors?: FormErrors) {
    const active = await this.organizationsService.listActive();
    // Keep an organization the user still holds even if it was deactivated since, so that saving
    // the form does not silently move them out of it or drop the grant.
    const held = [user.organizationId, ...(await this.usersService.grantsOf(user.id))];
    const inactiveHeld = [...new Set(held)].filter((id) => !active.some((o) => o.id === id));
    const organizations = [...active, ...(await this.organizationsService.findByIds(inactiveHeld))];
    const ownOrganization = organizations.find((o) => o.id === user.organizationId);
    res.status(status).render('users/edit', {
      title: 'users.edit',
      account: toUserDetail(user, ownOrganization),
      roles: roleOptions(),
      organizations: organizationOptions(organizations),
      // Grants matter to managers only; the checkboxes show once the role is manager.
      grantsShown: values.role === 'manager',
      grants: grantOptions(organizations, String(values.organizationId), values.grantedOrganizationIds),
      values,
      errors,
    });
  }
}
