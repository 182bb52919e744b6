import type { Client } from '../clients/client.entity';
import { ANSWERS, DOMAINS, VIOLENCE_ANSWERS } from '../reference/codes';
import type { FormErrors } from '../web/form';
import { eligibleField, needField } from './assessments.forms';
import type { DomainAnswer } from './assessments.repository';
import type { NeedsAssessment, NeedsAssessmentDomain } from './needs-assessment.entity';

export const clientPath = (clientId: string) => `/clients/${clientId}`;
export const assessmentsPath = (clientId: string) => `${clientPath(clientId)}/assessments`;
export const newAssessmentPath = (clientId: string) => `${assessmentsPath(clientId)}/new`;

/** What the assessment pages show about the client: the display code and the way back, nothing else. */
export const toClientHeading = (client: Client) => ({
  displayCode: client.displayCode,
  href: clientPath(client.id),
  historyHref: assessmentsPath(client.id),
  newHref: newAssessmentPath(client.id),
  action: assessmentsPath(client.id),
});

/**
 * A new assessment starts from the answers in force (a domain never assessed is `unknown`), dated
 * today. The violence question is asked afresh every time, so it starts unanswered.
 */
export function newAssessmentValues(current: DomainAnswer[], today: string, submissionKey: string) {
  const values: Record<string, string> = { assessedOn: today, violence: '', submissionKey };
  for (const domain of DOMAINS) {
    const answer = current.find((a) => a.domain === domain);
    values[needField(domain)] = answer?.need ?? 'unknown';
    values[eligibleField(domain)] = answer?.eligible ?? 'unknown';
  }
  return values;
}

const radioGroup = (
  name: string,
  legendKey: string,
  choices: readonly string[],
  labelPrefix: string,
  values: Record<string, unknown>,
  errors: FormErrors,
) => ({
  name,
  legendKey,
  error: errors[name],
  options: choices.map((value) => ({
    id: `${name}-${value || 'none'}`,
    value,
    labelKey: value ? `${labelPrefix}.${value}` : 'assessments.notAsked',
    checked: String(values[name] ?? '') === value,
  })),
});

/** The form: one block per domain with its two questions, then violence (optional) and the date. */
export const assessmentFormView = (values: Record<string, unknown>, errors: FormErrors = {}) => ({
  domains: DOMAINS.map((domain) => ({
    labelKey: `codes.domain.${domain}`,
    questions: [
      radioGroup(needField(domain), 'assessments.need', ANSWERS, 'codes.answer', values, errors),
      radioGroup(eligibleField(domain), 'assessments.eligible', ANSWERS, 'codes.answer', values, errors),
    ],
  })),
  violence: radioGroup('violence', 'assessments.violence', [...VIOLENCE_ANSWERS, ''], 'codes.violence', values, errors),
});

/** Per domain, the answer in force, for the client page and the top of the history. */
export const toCurrentNeeds = (current: DomainAnswer[]) =>
  DOMAINS.map((domain) => {
    const answer = current.find((a) => a.domain === domain);
    return {
      domainKey: `codes.domain.${domain}`,
      needKey: answer ? `codes.answer.${answer.need}` : null,
      eligibleKey: answer ? `codes.answer.${answer.eligible}` : null,
      assessedOn: answer?.assessedOn ?? null,
    };
  });

/** One dated assessment of the history, with every domain (a domain not asked, e.g. on import, shows a dash). */
export const toAssessmentRow = (assessment: NeedsAssessment & { answers: NeedsAssessmentDomain[] }) => ({
  assessedOn: assessment.assessedOn,
  violenceKey: assessment.violence ? `codes.violence.${assessment.violence}` : null,
  answers: DOMAINS.map((domain) => {
    const answer = assessment.answers.find((a) => a.domain === domain);
    return {
      domainKey: `codes.domain.${domain}`,
      needKey: answer ? `codes.answer.${answer.need}` : null,
      eligibleKey: answer ? `codes.answer.${answer.eligible}` : null,
    };
  }),
});
