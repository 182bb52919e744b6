import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN_LENGTH } from './password';

// class-validator checks the decorator nearest the property first (and stops there): presence checks
// sit at the bottom so that a missing field reads "required", not "too long".

export class SignInForm {
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  username: string;

  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  password: string;
}

export class ChangePasswordForm {
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  currentPassword: string;

  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `validation.passwordLength|min=${PASSWORD_MIN_LENGTH}` })
  @IsString({ message: 'validation.required' })
  newPassword: string;

  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  confirmPassword: string;
}

export class TotpForm {
  @Matches(/^\d{6}$/, { message: 'validation.totpCode' })
  @IsString({ message: 'validation.totpCode' })
  code: string;
}
