import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, ValidateBy } from 'class-validator';
import { programDay } from '../web/days';
import { ANSWERS, Answer, DOMAINS, Domain, VIOLENCE_ANSWERS, ViolenceAnswer } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import type { AssessmentInput } from './assessments.service';

/** One radio group per domain and question: `need_health`, `eligible_health`, … (names follow DOMAINS). */
export const needField = (domain: Domain) => `need_${domain}`;
export const eligibleField = (domain: Domain) => `eligible_${domain}`;

/** The radio "not asked" sends an empty value: the violence question is optional. */
const emptyAsMissing = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export class NeedsAssessmentForm {
  @ValidateBy(
    { name: 'isCalendarDay', validator: { validate: (value) => typeof value === 'string' && !!programDay(value) } },
    { message: 'validation.date' },
  )
  assessedOn: string;

  @IsOptional()
  @Transform(emptyAsMissing)
  @IsIn(VIOLENCE_ANSWERS, { message: 'validation.invalid' })
  violence?: ViolenceAnswer;

  /** Generated when the form is rendered; a second submission of the same form records nothing more. */
  @IsUUID('all', { message: 'validation.invalid' })
  @IsString({ message: 'validation.invalid' })
  submissionKey: string;
}

// Every domain asks the same two questions: the rules are declared once, for each field of DOMAINS.
for (const domain of DOMAINS) {
  for (const field of [needField(domain), eligibleField(domain)]) {
    IsIn(ANSWERS, { message: 'validation.invalid' })(NeedsAssessmentForm.prototype, field);
  }
}

/** parseForm keeps only `validation.*` keys: the wording proper to this form is chosen here, per field. */
const FIELD_MESSAGES: Record<string, string> = {
  violence: 'assessments.violenceInvalid',
  submissionKey: 'assessments.formExpired',
  ...Object.fromEntries(
    DOMAINS.flatMap((domain) => [needField(domain), eligibleField(domain)]).map((f) => [
      f,
      'assessments.answerInvalid',
    ]),
  ),
};

export interface RecordAssessment {
  input: AssessmentInput;
  submissionKey: string;
}

/** Validates a submitted needs assessment; `today` is the Hanoi calendar day (an assessment cannot be dated later). */
export async function parseAssessment(body: unknown, today: string): Promise<FormResult<RecordAssessment>> {
  const form = await parseForm(NeedsAssessmentForm, body);
  const errors: FormErrors = form.ok
    ? {}
    : Object.fromEntries(Object.entries(form.errors).map(([field, key]) => [field, FIELD_MESSAGES[field] ?? key]));
  const raw = fieldsOf(body).assessedOn;
  const day = typeof raw === 'string' ? programDay(raw.trim()) : null;
  if (day && day > today) errors.assessedOn = 'assessments.dateInFuture';
  if (!form.ok || !day || Object.keys(errors).length > 0) return { ok: false, errors };

  const fields = form.value as unknown as Record<string, Answer>;
  return {
    ok: true,
    value: {
      submissionKey: form.value.submissionKey,
      input: {
        assessedOn: day,
        violence: form.value.violence ?? null,
        answers: DOMAINS.map((domain) => ({
          domain,
          need: fields[needField(domain)],
          eligible: fields[eligibleField(domain)],
        })),
      },
    },
  };
}
