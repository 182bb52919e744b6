import { parseForm } from '../web/form';
import { ChangePasswordForm, SignInForm } from './auth.forms';

describe('sign-in forms', () => {
  it('reports a missing field as required, not as too long', async () => {
    const result = await parseForm(SignInForm, {});
    expect(result).toEqual({ ok: false, errors: { username: 'validation.required', password: 'validation.required' } });
  });

  it('reports a short new password with the minimum length', async () => {
    const result = await parseForm(ChangePasswordForm, {
      currentPassword: 'x',
      newPassword: 'short',
      confirmPassword: 'short',
    });
    expect(result).toEqual({ ok: false, errors: { newPassword: 'validation.passwordLength|min=12' } });
  });

  it('trims fields and drops unknown ones', async () => {
    const result = await parseForm(SignInForm, { username: '  lan  ', password: 'secret', role: 'admin' });
    expect(result).toEqual({ ok: true, value: { username: 'lan', password: 'secret' } });
  });
});
