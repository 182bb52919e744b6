import type { ConfirmationAnswer } from './confirmations.service';

/** The message of an answer that did not confirm; never anything about the referral or the client. */
export function refusalOf(answer: ConfirmationAnswer): { formError: string; field?: string } | null {
  switch (answer.kind) {
    case 'confirmed':
      return null;
    case 'locked':
      return { formError: `confirm.errors.locked|minutes=${answer.minutes}` };
    case 'expired':
      return { formError: 'confirm.errors.expired' };
    case 'already_confirmed':
      return { formError: 'confirm.errors.already' };
    case 'closed':
      return { formError: 'confirm.errors.closed' };
    case 'date':
      return { formError: answer.messageKey, field: 'servedOn' };
    case 'refused':
      return { formError: 'confirm.errors.refused' };
  }
}

/** The form again: the code as typed, never the PIN. */
export const confirmationValues = (body: Record<string, unknown>, today: string) => ({
  code: typeof body.code === 'string' ? body.code.slice(0, 20) : '',
  servedOn: typeof body.servedOn === 'string' ? body.servedOn.slice(0, 10) : today,
});
