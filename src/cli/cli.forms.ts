import { IsIn, IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN_LENGTH } from '../auth/password';
import { ROLES } from '../auth/permissions';

/** Codes: lower-case ASCII words joined by hyphens (also used by imports and exports). */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const USERNAME = /^[a-z0-9._-]{3,60}$/;

export class CreateOrganizationArgs {
  @IsString({ message: 'validation.slug' })
  @Matches(SLUG, { message: 'validation.slug' })
  code: string;

  @IsString({ message: 'validation.required' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  name: string;
}

export class CreateUserArgs {
  @IsString({ message: 'validation.username' })
  @Matches(USERNAME, { message: 'validation.username' })
  username: string;

  @IsIn(ROLES, { message: 'validation.role' })
  role: string;

  @IsString({ message: 'validation.organization' })
  @IsNotEmpty({ message: 'validation.organization' })
  org: string;

  @IsString({ message: 'validation.required' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `validation.passwordLength|min=${PASSWORD_MIN_LENGTH}` })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  password: string;
}
