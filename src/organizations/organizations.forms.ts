import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CHECKED, lowerCase, SLUG } from '../web/form-rules';

export class EditOrganizationForm {
  // class-validator checks the bottom decorator first: a missing name reads "required", not "too long".
  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  name: string;

  @IsOptional()
  @IsIn([CHECKED], { message: 'validation.invalid' })
  active?: string;
}

export class NewOrganizationForm {
  @Transform(lowerCase)
  @IsString({ message: 'validation.slug' })
  @Matches(SLUG, { message: 'validation.slug' })
  code: string;

  @MaxLength(200, { message: 'validation.tooLong|max=200' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  name: string;
}
