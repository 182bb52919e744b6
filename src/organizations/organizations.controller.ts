import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, clientAddress, CurrentActor } from '../auth/actor';
import { flash } from '../web/flash';
import { FormErrors, formValues, parseForm } from '../web/form';
import { CHECKED } from '../web/form-rules';
import { EditOrganizationForm, NewOrganizationForm } from './organizations.forms';
import { OrganizationCodeTakenError, OrganizationsService } from './organizations.service';
import { toOrganizationDetail, toOrganizationFormValues, toOrganizationRow } from './organizations.view';

const LIST = '/admin/organizations';

@Controller('admin/organizations')
export class OrganizationsController {
  constructor(private readonly organizationsService: OrganizationsService) {}

  @Get()
  @Can('organizations:manage')
  async index(@Res() res: Response) {
    const organizations = await this.organizationsService.listAll();
    res.render('organizations/index', {
      title: 'organizations.title',
      organizations: organizations.map(toOrganizationRow),
    });
  }

  @Get('new')
  @Can('organizations:manage')
  newPage(@Res() res: Response) {
    res.render('organizations/new', { title: 'organizations.new', values: {} });
  }

  @Post()
  @Can('organizations:manage')
  async create(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const render = (errors: FormErrors) =>
      res.status(422).render('organizations/new', { title: 'organizations.new', errors, values: formValues(body) });
    const form = await parseForm(NewOrganizationForm, body);
    if (!form.ok) return render(form.errors);
    try {
      await this.organizationsService.create(actorContext(actor, clientAddress(req)), form.value);
    } catch (error) {
      if (error instanceof OrganizationCodeTakenError) return render({ code: 'organizations.codeTaken' });
      throw error;
    }
    flash(req, 'organizations.created');
    return res.redirect(303, LIST);
  }

  @Get(':id')
  @Can('organizations:manage')
  async editPage(@Param('id') id: string, @Res() res: Response) {
    const organization = await this.organizationsService.get(id);
    res.render('organizations/edit', {
      title: 'organizations.edit',
      organization: toOrganizationDetail(organization),
      values: toOrganizationFormValues(organization),
    });
  }

  @Post(':id')
  @Can('organizations:manage')
  async update(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ) {
    const organization = await this.organizationsService.get(id);
    const form = await parseForm(EditOrganizationForm, body);
    if (!form.ok) {
      return res.status(422).render('organizations/edit', {
        title: 'organizations.edit',
        organization: toOrganizationDetail(organization),
        errors: form.errors,
        values: formValues(body),
      });
    }
    await this.organizationsService.update(actorContext(actor, clientAddress(req)), organization.id, {
      name: form.value.name,
      active: form.value.active === CHECKED,
    });
    flash(req, 'organizations.updated');
    return res.redirect(303, LIST);
  }
}
