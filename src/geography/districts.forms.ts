import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CHECKED, lowerCase, SLUG } from '../web/form-rules';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { DISTRICT_KINDS, District } from './district.entity';

export const SORT_ORDER_MAX = 100_000;

/** Codes under /admin/districts/ that name pages, so no district may take them. */
const RESERVED_CODES = ['new'];

/** District codes are slugs (the SLUG rule keeps them within the 60-character column). */
export const isDistrictCode = (value: string): boolean => SLUG.test(value);

export class EditDistrictForm {
  // class-validator checks the bottom decorator first: a missing name reads "required", not "too long".
  @MaxLength(120, { message: 'validation.tooLong|max=120' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  name: string;

  @IsIn(DISTRICT_KINDS, { message: 'validation.districtKind' })
  kind: District['kind'];

  @IsString({ message: 'validation.integer' })
  @Matches(/^\d{1,6}$/, { message: 'validation.integer' })
  sortOrder: string;

  @IsOptional()
  @IsIn([CHECKED], { message: 'validation.invalid' })
  active?: string;
}

export class NewDistrictForm extends EditDistrictForm {
  @Transform(lowerCase)
  @IsString({ message: 'validation.slug' })
  @Matches(SLUG, { message: 'validation.slug' })
  code: string;
}

/** Rules class-validator cannot word as a `validation.*` key: the sort-order range and reserved codes. */
function extraErrors(body: unknown, withCode: boolean): FormErrors {
  const source = fieldsOf(body);
  const errors: FormErrors = {};
  const sortOrder = typeof source.sortOrder === 'string' ? source.sortOrder.trim() : '';
  if (/^\d{1,6}$/.test(sortOrder) && Number(sortOrder) > SORT_ORDER_MAX) {
    errors.sortOrder = `districts.sortOrderRange|min=0|max=${SORT_ORDER_MAX}`;
  }
  const code = typeof source.code === 'string' ? source.code.trim().toLowerCase() : '';
  if (withCode && RESERVED_CODES.includes(code)) errors.code = 'districts.codeReserved';
  return errors;
}

const toChanges = (form: EditDistrictForm): Omit<District, 'code'> => ({
  name: form.name,
  kind: form.kind,
  active: form.active === CHECKED,
  sortOrder: Number(form.sortOrder),
});

export async function parseDistrictChanges(body: unknown): Promise<FormResult<Omit<District, 'code'>>> {
  const form = await parseForm(EditDistrictForm, body);
  const errors = { ...extraErrors(body, false), ...(form.ok ? {} : form.errors) };
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: toChanges(form.value) };
}

export async function parseNewDistrict(body: unknown): Promise<FormResult<District>> {
  const form = await parseForm(NewDistrictForm, body);
  const errors = { ...extraErrors(body, true), ...(form.ok ? {} : form.errors) };
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { code: form.value.code, ...toChanges(form.value) } };
}
