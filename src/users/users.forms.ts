import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsString, Matches } from 'class-validator';
import { ROLES, type Role } from '../auth/permissions';
import { asList, lowerCase, USERNAME, UUID } from '../web/form-rules';

/** Who the account is: shared by the admin page and `npm run cli -- user:create`. */
export class AccountIdentityFields {
  @Transform(lowerCase)
  @Matches(USERNAME, { message: 'validation.username' })
  @IsString({ message: 'validation.username' })
  username: string;

  @IsIn(ROLES, { message: 'validation.role' })
  role: Role;
}

export class CreateUserForm extends AccountIdentityFields {
  /** Checked against the active organizations by the service (validation.organization). */
  @IsString({ message: 'validation.organization' })
  @IsNotEmpty({ message: 'validation.organization' })
  organizationId: string;
}

export class UpdateUserForm {
  @IsIn(ROLES, { message: 'validation.role' })
  role: Role;

  @IsString({ message: 'validation.organization' })
  @IsNotEmpty({ message: 'validation.organization' })
  organizationId: string;

  /** Organizations whose aggregates a manager sees besides their own; ignored for other roles.
   *  No box ticked sends no field at all, hence the default. */
  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'validation.organization' })
  @ArrayMaxSize(200, { message: 'validation.organization' })
  @Matches(UUID, { each: true, message: 'validation.organization' })
  grantedOrganizationIds: string[] = [];
}
