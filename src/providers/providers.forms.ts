import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { ALL_SERVICE_TYPES, DOMAINS, Domain, domainOfServiceType, isOneOf } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { asList, CHECKED } from '../web/form-rules';
import type { ProviderFilters } from './providers.repository';
import type { ProviderInput } from './providers.service';

export const NAME_MAX = 200;
export const ADDRESS_MAX = 300;
export const PHONE_MAX = 40;
export const OPENING_HOURS_MAX = 200;

/** The organization's public phone: digits, spaces and + ( ) . - only, with at least one digit (or nothing). */
export const PHONE = /^(?:|(?=.*\d)[0-9 +().-]+)$/;

/**
 * The fields of the directory entry form (new and edit). Everything here is public information about
 * an organization, never about a client: no free-text identifier check applies (the phone is the
 * organization's own). The district list depends on the geography and is checked by `parseProviderForm`.
 */
export class ProviderForm {
  // class-validator checks the bottom decorator first: a missing name reads "required", not "too long".
  @MaxLength(NAME_MAX, { message: `validation.tooLong|max=${NAME_MAX}` })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  name: string;

  /** No box ticked sends no field at all, hence the default. */
  @Transform(({ value }) => asList(value))
  @IsIn(DOMAINS, { each: true, message: 'providers.errors.domains' })
  @ArrayMaxSize(DOMAINS.length, { message: 'providers.errors.domains' })
  @ArrayNotEmpty({ message: 'providers.errors.domains' })
  @IsArray({ message: 'providers.errors.domains' })
  domains: Domain[] = [];

  @Transform(({ value }) => asList(value))
  @IsIn(ALL_SERVICE_TYPES, { each: true, message: 'providers.errors.serviceTypes' })
  @ArrayMaxSize(ALL_SERVICE_TYPES.length, { message: 'providers.errors.serviceTypes' })
  @ArrayNotEmpty({ message: 'providers.errors.serviceTypes' })
  @IsArray({ message: 'providers.errors.serviceTypes' })
  serviceTypes: string[] = [];

  @IsString({ message: 'providers.errors.district' })
  @IsOptional()
  districtCode?: string;

  @MaxLength(ADDRESS_MAX, { message: `validation.tooLong|max=${ADDRESS_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  address?: string;

  @Matches(PHONE, { message: 'providers.errors.phone' })
  @MaxLength(PHONE_MAX, { message: `validation.tooLong|max=${PHONE_MAX}` })
  @IsString({ message: 'providers.errors.phone' })
  @IsOptional()
  phone?: string;

  @MaxLength(OPENING_HOURS_MAX, { message: `validation.tooLong|max=${OPENING_HOURS_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  openingHours?: string;

  @IsIn([CHECKED], { message: 'validation.invalid' })
  @IsOptional()
  kpFriendly?: string;

  @IsIn([CHECKED], { message: 'validation.invalid' })
  @IsOptional()
  active?: string;
}

/** One way to write a name: composed Unicode, single spaces. */
export const tidyName = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ');

const textOrNull = (text: string | undefined) => {
  const tidy = (text ?? '').normalize('NFC').trim();
  return tidy === '' ? null : tidy;
};

/** Codes in the order of the code lists, each once, so comparing two entries compares their sets. */
const inListOrder = <T extends string>(list: readonly T[], values: readonly string[]): T[] =>
  list.filter((item) => values.includes(item));

export interface ProviderFormRules {
  /** Every district code of the geography (retired ones too: a provider may sit where no program works). */
  districtCodes: readonly string[];
}

/**
 * Validates the entry form. Rules class-validator cannot see: the district list and that every
 * service type belongs to a ticked domain. Every error is reported at once; nothing is saved on error.
 */
export async function parseProviderForm(body: unknown, rules: ProviderFormRules): Promise<FormResult<ProviderInput>> {
  const parsed = await parseForm(ProviderForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };

  const source = fieldsOf(body);
  const district = typeof source.districtCode === 'string' ? source.districtCode.trim() : '';
  if (!errors.districtCode && district !== '' && !rules.districtCodes.includes(district)) {
    errors.districtCode = 'providers.errors.district';
  }
  if (!errors.domains && !errors.serviceTypes) {
    const domains = asList(source.domains);
    const outside = asList(source.serviceTypes).some((type) => !domains.includes(domainOfServiceType(type) ?? ''));
    if (outside) errors.serviceTypes = 'providers.errors.serviceTypeDomain';
  }
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };

  const form = parsed.value;
  return {
    ok: true,
    value: {
      name: tidyName(form.name),
      domains: inListOrder(DOMAINS, form.domains),
      serviceTypes: inListOrder(ALL_SERVICE_TYPES, form.serviceTypes),
      districtCode: district === '' ? null : district,
      address: textOrNull(form.address),
      phone: textOrNull(form.phone)?.replace(/\s+/g, ' ') ?? null,
      openingHours: textOrNull(form.openingHours),
      kpFriendly: form.kpFriendly === CHECKED,
      active: form.active === CHECKED,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The filters of the list (GET /admin/providers)

const FILTER_FIELDS = ['domain', 'district', 'review'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

export interface ProviderListFilters {
  /** Only the valid filters: what the search applies. */
  criteria: ProviderFilters;
  /** What the filter form shows again. */
  values: Partial<Record<FilterField, string>>;
  /** Field → message key, shown next to the filter; that filter is not applied. */
  errors: FormErrors;
  /** The valid filters, kept by the pager's links. */
  query: Partial<Record<FilterField, string>>;
}

/**
 * Reads the filters leniently: a bad value gets a message next to its filter and is left out of the
 * search while the others still apply (no 400, no 500). The admin list shows inactive entries too.
 */
export function parseProviderFilters(query: unknown, districtCodes: readonly string[]): ProviderListFilters {
  const source = fieldsOf(query);
  const criteria: ProviderFilters = { includeInactive: true };
  const values: ProviderListFilters['values'] = {};
  const errors: FormErrors = {};
  const kept: ProviderListFilters['query'] = {};
  for (const field of FILTER_FIELDS) {
    const raw = source[field];
    if (raw === undefined || raw === '') continue;
    const text = typeof raw === 'string' ? raw.trim() : null;
    if (text !== null) values[field] = text.slice(0, 100);
    if (text === '') continue;
    if (field === 'domain' && isOneOf(DOMAINS, text)) criteria.domain = text;
    else if (field === 'district' && text !== null && districtCodes.includes(text)) criteria.districtCode = text;
    else if (field === 'review' && text === CHECKED) criteria.needsReview = true;
    else {
      errors[field] = 'providers.errors.filter';
      continue;
    }
    kept[field] = text;
  }
  return { criteria, values, errors, query: kept };
}
