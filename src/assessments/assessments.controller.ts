import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, clientAddress, CurrentActor } from '../auth/actor';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { flash } from '../web/flash';
import { formValues } from '../web/form';
import { parseAssessment } from './assessments.forms';
import { AssessmentsService } from './assessments.service';
import {
  assessmentFormView,
  clientPath,
  newAssessmentValues,
  toAssessmentRow,
  toClientHeading,
  toCurrentNeeds,
} from './assessments.view';
import { UUID } from '../web/form-rules';

@Controller('clients/:id/assessments')
export class AssessmentsController {
  constructor(
    private readonly clientsService: ClientsService,
    private readonly assessmentsService: AssessmentsService,
    private readonly clock: Clock,
  ) {}

  /** The history: every dated assessment, latest first, under the answers in force today. */
  @Get()
  @Can('assessments:read')
  async index(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const client = await this.clientsService.openForActor(actor, actorContext(actor, clientAddress(req)), id);
    const [current, history] = await Promise.all([
      this.assessmentsService.currentNeeds(client),
      this.assessmentsService.history(client),
    ]);
    res.render('assessments/index', {
      title: 'assessments.historyTitle',
      client: toClientHeading(client),
      canWrite: actor.permissions.has('assessments:write'),
      current: toCurrentNeeds(current),
      assessments: history.map(toAssessmentRow),
    });
  }

  @Get('new')
  @Can('assessments:write')
  async newPage(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const client = await this.clientsService.openForActor(actor, actorContext(actor, clientAddress(req)), id);
    const today = this.today();
    const values = newAssessmentValues(await this.assessmentsService.currentNeeds(client), today, randomUUID());
    res.render('assessments/new', {
      title: 'assessments.new',
      client: toClientHeading(client),
      today,
      values,
      form: assessmentFormView(values),
    });
  }

  @Post()
  @Can('assessments:write')
  async create(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ) {
    // Another organization's client answers 404 before anything about the form is said.
    const client = await this.clientsService.getForActor(actor, id);
    const today = this.today();
    const form = await parseAssessment(body, today);
    if (!form.ok) {
      const values = formValues(body);
      // Keep a valid key so the corrected form still records once; a missing or broken one is replaced.
      if (typeof values.submissionKey !== 'string' || !UUID.test(values.submissionKey)) {
        values.submissionKey = randomUUID();
      }
      return res.status(422).render('assessments/new', {
        title: 'assessments.new',
        client: toClientHeading(client),
        today,
        values,
        errors: form.errors,
        form: assessmentFormView(values, form.errors),
      });
    }
    await this.assessmentsService.record(
      actor,
      actorContext(actor, clientAddress(req)),
      client.id,
      form.value.input,
      form.value.submissionKey,
    );
    flash(req, 'assessments.recorded');
    return res.redirect(303, clientPath(client.id));
  }

  private today(): string {
    return localDay(this.clock.now());
  }
}
