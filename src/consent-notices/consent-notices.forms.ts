import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { fieldsOf, FormResult, parseForm } from '../web/form';
import type { NoticeInput } from './consent-notices.service';
import { NOTICE_VERSION, NOTICE_VERSION_MAX_LENGTH } from './notice-version';

/** A notice fits on one phone screen or so: a few short paragraphs. */
export const NOTICE_BODY_MAX = 3000;

/**
 * The publish form. The texts are public (what every client hears), not client data: the identifier
 * check of free text does not apply (an organization's own hotline may be in them). Whether the version
 * is greater than the current one is the service's rule, checked under the publishing lock.
 */
export class PublishNoticeForm {
  // class-validator checks the bottom decorator first: a missing value reads "required".
  @Matches(NOTICE_VERSION, { message: 'consentNotices.errors.versionFormat' })
  @MaxLength(NOTICE_VERSION_MAX_LENGTH, { message: 'consentNotices.errors.versionFormat' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  version: string;

  @MaxLength(NOTICE_BODY_MAX, { message: `validation.tooLong|max=${NOTICE_BODY_MAX}` })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  bodyVi: string;

  @MaxLength(NOTICE_BODY_MAX, { message: `validation.tooLong|max=${NOTICE_BODY_MAX}` })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  bodyEn: string;
}

/**
 * One way to write a notice: composed Unicode, one paragraph per line, spaces collapsed, no empty lines
 * (a textarea sends CR LF; blank lines between paragraphs are only layout).
 */
export const tidyNoticeText = (text: string): string =>
  text
    .normalize('NFC')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');

export async function parsePublishNotice(body: unknown): Promise<FormResult<NoticeInput>> {
  const parsed = await parseForm(PublishNoticeForm, body);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: {
      version: parsed.value.version,
      bodyVi: tidyNoticeText(parsed.value.bodyVi),
      bodyEn: tidyNoticeText(parsed.value.bodyEn),
    },
  };
}

/** The renewal form carries the version the worker read to the client. */
export const shownVersionOf = (body: unknown): string | null => {
  const value = fieldsOf(body).noticeVersion;
  return typeof value === 'string' ? value.trim() : null;
};
