import { IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN_LENGTH } from '../auth/password';
import { AccountIdentityFields } from '../users/users.forms';

export { NewOrganizationForm as CreateOrganizationArgs } from '../organizations/organizations.forms';

/** `user:create`: the admin page's fields, with the organization by code and a password from stdin. */
export class CreateUserArgs extends AccountIdentityFields {
  @IsNotEmpty({ message: 'validation.organization' })
  @IsString({ message: 'validation.organization' })
  org: string;

  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `validation.passwordLength|min=${PASSWORD_MIN_LENGTH}` })
  @IsString({ message: 'validation.required' })
  password: string;
}
