import { IsIn } from 'class-validator';
import { SUPPORTED_KINDS } from './kinds';

/** The upload form's fields besides the file (which the upload middleware reads). */
export class ImportForm {
  @IsIn(SUPPORTED_KINDS, { message: 'imports.errors.kind' })
  kind: string;
}
