import { Controller, Get, Render } from '@nestjs/common';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor } from '../auth/actor';
import { OrganizationsService } from '../organizations/organizations.service';
import { toHomeView } from './home.view';

@Controller()
export class HomeController {
  constructor(private readonly organizationsService: OrganizationsService) {}

  @Get()
  @Can('home:view')
  @Render('home/index')
  async index(@CurrentActor() actor: Actor) {
    const organization = await this.organizationsService.get(actor.organizationId);
    return { title: 'home.title', home: toHomeView(actor, organization) };
  }
}
