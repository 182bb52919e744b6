import { Controller, Get, Render } from '@nestjs/common';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor } from '../auth/actor';
import { OrganizationsService } from '../organizations/organizations.service';
import { PrivacyRequestsService } from '../privacy-requests/privacy-requests.service';
import { ReferralsService } from '../referrals/referrals.service';
import { pageOf } from '../web/pagination';
import { toFollowUpPanel, toHomeView } from './home.view';

/** Referrals shown on the home page; the follow-up list has the rest. */
const HOME_FOLLOW_UPS = 5;

@Controller()
export class HomeController {
  constructor(
    private readonly organizationsService: OrganizationsService,
    private readonly referralsService: ReferralsService,
    private readonly privacyRequestsService: PrivacyRequestsService,
  ) {}

  @Get()
  @Can('home:view')
  @Render('home/index')
  async index(@CurrentActor() actor: Actor) {
    const [organization, followUps, overdueRequests] = await Promise.all([
      this.organizationsService.get(actor.organizationId),
      // A worker's own referrals waiting for news (a manager sees the organization's).
      actor.permissions.has('referrals:read')
        ? this.referralsService.followUps(actor, actor.role !== 'manager', pageOf('1', HOME_FOLLOW_UPS))
        : null,
      // Data-subject requests past their legal deadline: flagged to the manager who answers for them.
      actor.role === 'manager' && actor.permissions.has('privacy:requests')
        ? this.privacyRequestsService.countOverdue(actor)
        : null,
    ]);
    return {
      title: 'home.title',
      home: toHomeView(actor, organization),
      followUps: followUps ? toFollowUpPanel(followUps, actor.role !== 'manager') : null,
      overdueRequests: overdueRequests ? { count: overdueRequests, href: '/privacy/requests' } : null,
    };
  }
}
