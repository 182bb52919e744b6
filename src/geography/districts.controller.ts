import { Body, Controller, Get, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, clientAddress, CurrentActor } from '../auth/actor';
import { flash } from '../web/flash';
import { FormErrors, formValues } from '../web/form';
import { isDistrictCode, parseDistrictChanges, parseNewDistrict } from './districts.forms';
import { DistrictCodeTakenError, DistrictsService } from './districts.service';
import {
  districtKindOptions,
  newDistrictFormValues,
  toDistrictDetail,
  toDistrictFormValues,
  toDistrictRow,
} from './districts.view';

const LIST = '/admin/districts';

@Controller('admin/districts')
export class DistrictsController {
  constructor(private readonly districtsService: DistrictsService) {}

  @Get()
  @Can('geography:manage')
  async index(@Res() res: Response) {
    const districts = await this.districtsService.listAll();
    res.render('geography/districts-index', { title: 'districts.title', districts: districts.map(toDistrictRow) });
  }

  @Get('new')
  @Can('geography:manage')
  async newPage(@Res() res: Response) {
    const districts = await this.districtsService.listAll();
    res.render('geography/districts-new', {
      title: 'districts.new',
      kinds: districtKindOptions(),
      values: newDistrictFormValues(districts),
    });
  }

  @Post()
  @Can('geography:manage')
  async create(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const render = (errors: FormErrors) =>
      res.status(422).render('geography/districts-new', {
        title: 'districts.new',
        kinds: districtKindOptions(),
        errors,
        values: formValues(body),
      });
    const form = await parseNewDistrict(body);
    if (!form.ok) return render(form.errors);
    try {
      await this.districtsService.create(actorContext(actor, clientAddress(req)), form.value);
    } catch (error) {
      if (error instanceof DistrictCodeTakenError) return render({ code: 'districts.codeTaken' });
      throw error;
    }
    flash(req, 'districts.created');
    return res.redirect(303, LIST);
  }

  @Get(':code')
  @Can('geography:manage')
  async editPage(@Param('code') code: string, @Res() res: Response) {
    const district = await this.load(code);
    res.render('geography/districts-edit', {
      title: 'districts.edit',
      district: toDistrictDetail(district),
      kinds: districtKindOptions(),
      values: toDistrictFormValues(district),
    });
  }

  @Post(':code')
  @Can('geography:manage')
  async update(
    @CurrentActor() actor: Actor,
    @Param('code') code: string,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ) {
    const district = await this.load(code);
    const form = await parseDistrictChanges(body);
    if (!form.ok) {
      return res.status(422).render('geography/districts-edit', {
        title: 'districts.edit',
        district: toDistrictDetail(district),
        kinds: districtKindOptions(),
        errors: form.errors,
        values: formValues(body),
      });
    }
    await this.districtsService.update(actorContext(actor, clientAddress(req)), district.code, form.value);
    flash(req, 'districts.updated');
    return res.redirect(303, LIST);
  }

  /** A code that is not even a slug cannot name a district: answer 404 without a query. */
  private load(code: string) {
    if (!isDistrictCode(code)) throw new NotFoundException();
    return this.districtsService.get(code);
  }
}
