import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN_LENGTH } from './password';

export class SignInForm {
  @IsString({ message: 'validation.required' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  username: string;

  @IsString({ message: 'validation.required' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  password: string;
}

export class ChangePasswordForm {
  @IsString({ message: 'validation.required' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  currentPassword: string;

  @IsString({ message: 'validation.required' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `validation.passwordLength|min=${PASSWORD_MIN_LENGTH}` })
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  newPassword: string;

  @IsString({ message: 'validation.required' })
  @IsNotEmpty({ message: 'validation.required' })
  confirmPassword: string;
}

export class TotpForm {
  @IsString({ message: 'validation.totpCode' })
  @Matches(/^\d{6}$/, { message: 'validation.totpCode' })
  code: string;
}
