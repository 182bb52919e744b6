import { IsInt, IsString, MaxLength } from 'class-validator';
import { formValues, parseForm } from './form';

class Sample {
  @MaxLength(5, { message: 'validation.tooLong|max=5' })
  @IsString({ message: 'validation.required' })
  name: string;

  @IsInt()
  count: number;
}

describe('parseForm', () => {
  it('keeps message keys (with their values) and hides class-validator’s English defaults', async () => {
    const result = await parseForm(Sample, { name: 'too long a name', count: 'x' });
    expect(result).toEqual({ ok: false, errors: { name: 'validation.tooLong|max=5', count: 'validation.invalid' } });
  });

  it('treats a missing or non-object body as empty', async () => {
    const result = await parseForm(Sample, undefined);
    expect(result.ok).toBe(false);
  });
});

describe('formValues', () => {
  it('never echoes passwords or the CSRF token back into a form', () => {
    expect(formValues({ username: 'lan', password: 'x', newPassword: 'y', _csrf: 't' })).toEqual({ username: 'lan' });
  });
});
