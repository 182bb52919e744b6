import { IsOptional, IsString } from 'class-validator';
import { FormErrors, FormResult, fieldsOf, parseForm } from '../web/form';
import { isUuid, wholeNumber } from '../web/form-rules';
import { percentToFraction, REACH_MAX, YEAR_MAX, YEAR_MIN } from './targets';
import type { TargetValues } from './targets.repository';

/** The scope select's value for a program-wide target (every other value is an organization id). */
export const PROGRAM_SCOPE = 'program';

/** The target form (new and edit). Numbers arrive as text and are checked by `parseTargetForm`. */
export class TargetForm {
  @IsString({ message: 'targets.errors.year' })
  year: string;

  @IsString({ message: 'targets.errors.scope' })
  scope: string;

  @IsString({ message: 'targets.errors.district' })
  @IsOptional()
  districtCode?: string;

  @IsString({ message: 'targets.errors.reach' })
  reachTarget: string;

  @IsString({ message: 'targets.errors.access' })
  accessPercent: string;
}

export interface TargetFormRules {
  /** May the actor set program-wide targets (administrators)? */
  program: boolean;
  /** The organizations the actor may choose. */
  organizationIds: readonly string[];
  /** The districts the actor may choose. */
  districtCodes: readonly string[];
}

/** A year typed in a box or a query string, or null when it is not one from 2000 to 2100. */
export const parseYear = (raw: unknown): number | null => wholeNumber(raw, YEAR_MIN, YEAR_MAX, null);

/**
 * Validates the target form. Every error is reported at once, each in the user's language; nothing
 * is saved on error. A program-wide scope chosen by someone who may not set one gets its own message.
 */
export async function parseTargetForm(body: unknown, rules: TargetFormRules): Promise<FormResult<TargetValues>> {
  const parsed = await parseForm(TargetForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const source = fieldsOf(body);
  const text = (name: string) => (typeof source[name] === 'string' ? source[name].trim() : '');

  const year = parseYear(source.year);
  if (!errors.year && year === null) errors.year = 'targets.errors.year';

  const scope = text('scope');
  if (!errors.scope) {
    if (scope === PROGRAM_SCOPE) {
      if (!rules.program) errors.scope = 'targets.errors.programAdminOnly';
    } else if (!isUuid(scope) || !rules.organizationIds.includes(scope.toLowerCase())) {
      errors.scope = 'targets.errors.scope';
    }
  }

  const district = text('districtCode');
  if (!errors.districtCode && district !== '' && !rules.districtCodes.includes(district)) {
    errors.districtCode = 'targets.errors.district';
  }

  const reach = wholeNumber(source.reachTarget, 1, REACH_MAX, null);
  if (!errors.reachTarget && reach === null) errors.reachTarget = 'targets.errors.reach';

  const access = percentToFraction(source.accessPercent);
  if (!errors.accessPercent && access === null) errors.accessPercent = 'targets.errors.access';

  if (Object.keys(errors).length > 0 || year === null || reach === null || access === null) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      year,
      organizationId: scope === PROGRAM_SCOPE ? null : scope.toLowerCase(),
      districtCode: district === '' ? null : district,
      reachTarget: reach,
      accessTarget: access,
    },
  };
}
