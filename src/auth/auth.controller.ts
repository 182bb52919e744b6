import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { AuditService, actorContext } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { isLanguage } from '../i18n/i18n';
import { UsersService } from '../users/users.service';
import { flash } from '../web/flash';
import { formValues, parseForm } from '../web/form';
import { Public, SignedIn } from './access.decorators';
import { Actor, clientAddress, CurrentActor, SessionUser, toActor } from './actor';
import { ChangePasswordForm, SignInForm, TotpForm } from './auth.forms';
import type { SignInResult } from './auth.service';
import { PASSWORD_MIN_LENGTH, verifyPassword } from './password';
import { pendingStep } from './sign-in-steps';
import { TotpService } from './totp.service';

const LANGUAGE_COOKIE_MS = 365 * 24 * 3_600_000;

/** Runs passport's local strategy; the strategy reports its outcome as the "user". */
const authenticateLocal = (req: Request, res: Response): Promise<SignInResult> =>
  new Promise((resolve, reject) =>
    passport.authenticate('local', { session: false }, (error: unknown, result: SignInResult | false) =>
      error ? reject(error) : resolve(result || { ok: false, reason: 'invalid' }),
    )(req, res, reject),
  );

/** passport regenerates the session id at sign-in (no fixation), keeping nothing of the old one. */
const logIn = (req: Request, user: SessionUser): Promise<void> =>
  new Promise((resolve, reject) => req.logIn(user, (error?: unknown) => (error ? reject(error) : resolve())));

/**
 * Stores the session before answering. Left to express-session, a redirect's headers go out first and
 * the session is written after: the browser follows the redirect at once and, its next request still
 * reading the old session, may be sent back to the step it has just passed (sign-in, second factor).
 */
const saveSession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.save((error?: unknown) => (error ? reject(error) : resolve())));

/** Only same-site paths, never another host. */
const safeReturnPath = (value: unknown): string =>
  typeof value === 'string' && /^\/(?!\/)[\w\-/.?=&%]*$/.test(value) && !value.startsWith('/\\') ? value : '/';

@Controller()
export class AuthController {
  constructor(
    private readonly usersService: UsersService,
    private readonly totpService: TotpService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  @Get('login')
  @Public()
  loginPage(@Req() req: Request, @Res() res: Response, @Query('expired') expired?: string) {
    // Keep this anonymous session so the form's CSRF token, bound to its id, is valid on submit.
    req.session.signInStarted = true;
    res.render('auth/login', { title: 'login.title', notice: expired ? 'login.expired' : undefined, values: {} });
  }

  @Post('login')
  @Public()
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const form = await parseForm(SignInForm, body);
    if (!form.ok) {
      return res
        .status(422)
        .render('auth/login', { title: 'login.title', errors: form.errors, values: formValues(body) });
    }
    const result = await authenticateLocal(req, res);
    if (!result.ok) {
      const error = result.reason === 'locked' ? `login.locked|minutes=${result.minutes}` : 'login.invalid';
      return res
        .status(result.reason === 'locked' ? 429 : 401)
        .render('auth/login', { title: 'login.title', formError: error, values: formValues(body) });
    }
    await logIn(req, result.user);
    const now = this.clock.now().getTime();
    req.session.createdAt = now;
    req.session.lastSeenAt = now;
    req.session.totpVerified = false;
    await this.auditService.record(null, actorContext(toActor(result.user), clientAddress(req)), {
      action: 'auth.login',
    });
    await saveSession(req);
    return res.redirect(303, pendingStep(result.user, false) ?? '/');
  }

  @Post('logout')
  @SignedIn()
  async logout(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response) {
    await this.auditService.record(null, actorContext(actor, clientAddress(req)), { action: 'auth.logout' });
    await new Promise<void>((resolve) => req.logOut({ keepSessionInfo: false }, () => resolve()));
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('nc.sid');
    return res.redirect(303, '/login');
  }

  @Get('account/password')
  @SignedIn()
  passwordPage(@Res() res: Response) {
    res.render('auth/password', { title: 'password.title', min: PASSWORD_MIN_LENGTH, values: {} });
  }

  @Post('account/password')
  @SignedIn()
  async changePassword(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const form = await parseForm(ChangePasswordForm, body);
    const render = (errors: Record<string, string>) =>
      res.status(422).render('auth/password', { title: 'password.title', min: PASSWORD_MIN_LENGTH, errors });
    if (!form.ok) return render(form.errors);
    const { currentPassword, newPassword, confirmPassword } = form.value;
    if (newPassword !== confirmPassword) return render({ confirmPassword: 'password.mismatch' });
    if (newPassword === currentPassword) return render({ newPassword: 'password.sameAsOld' });
    const user = await this.usersService.get(actor.userId);
    if (!(await verifyPassword(user.passwordHash, currentPassword)))
      return render({ currentPassword: 'password.wrongCurrent' });
    await this.usersService.changeOwnPassword(actorContext(actor, clientAddress(req)), actor.userId, newPassword);
    flash(req, 'password.changed');
    const next = pendingStep({ ...req.user!, mustChangePassword: false }, req.session.totpVerified === true);
    return res.redirect(303, next ?? '/');
  }

  @Get('account/totp')
  @SignedIn()
  async totpSetupPage(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response) {
    if (req.user!.totpEnabled) return res.redirect(303, '/');
    req.session.pendingTotpCipher ??= this.totpService.newSecretCipher();
    return this.renderTotpSetup(res, actor, req.session.pendingTotpCipher, 200);
  }

  @Post('account/totp')
  @SignedIn()
  async totpSetup(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const pending = req.session.pendingTotpCipher;
    if (req.user!.totpEnabled || !pending) return res.redirect(303, '/account/totp');
    const form = await parseForm(TotpForm, body);
    if (!form.ok || !this.totpService.verify(form.value.code, pending)) {
      await this.auditService.record(null, actorContext(actor, clientAddress(req)), {
        action: 'auth.totp_failed',
        outcome: 'failure',
      });
      return this.renderTotpSetup(res, actor, pending, 422, form.ok ? 'totp.invalid' : form.errors.code);
    }
    await this.usersService.enableTotp(
      actorContext(actor, clientAddress(req)),
      actor.userId,
      pending,
      this.clock.now(),
    );
    delete req.session.pendingTotpCipher;
    req.session.totpVerified = true;
    flash(req, 'totp.enrolled');
    await saveSession(req);
    return res.redirect(303, '/');
  }

  @Get('login/totp')
  @SignedIn()
  totpPage(@Res() res: Response) {
    res.render('auth/totp', { title: 'totp.verifyTitle' });
  }

  @Post('login/totp')
  @SignedIn()
  async verifyTotp(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const form = await parseForm(TotpForm, body);
    const user = await this.usersService.get(actor.userId);
    if (!form.ok || !user.totpSecretCipher || !this.totpService.verify(form.value.code, user.totpSecretCipher)) {
      await this.auditService.record(null, actorContext(actor, clientAddress(req)), {
        action: 'auth.totp_failed',
        outcome: 'failure',
      });
      return res.status(422).render('auth/totp', {
        title: 'totp.verifyTitle',
        errors: { code: form.ok ? 'totp.invalid' : form.errors.code },
      });
    }
    req.session.totpVerified = true;
    await saveSession(req);
    return res.redirect(303, '/');
  }

  /** Language choice, remembered in a cookie for a year. */
  @Post('lang')
  @Public()
  chooseLanguage(@Body() body: { lang?: unknown; next?: unknown }, @Res() res: Response) {
    if (isLanguage(body?.lang)) {
      res.cookie('lang', body.lang, { maxAge: LANGUAGE_COOKIE_MS, sameSite: 'strict', httpOnly: true, path: '/' });
    }
    return res.redirect(303, safeReturnPath(body?.next));
  }

  private async renderTotpSetup(res: Response, actor: Actor, secretCipher: string, status: number, error?: string) {
    const { secret, qrDataUrl } = await this.totpService.enrolment(actor.username, secretCipher);
    res.status(status).render('auth/totp-setup', {
      title: 'totp.setupTitle',
      secret,
      qrDataUrl,
      errors: error ? { code: error } : undefined,
    });
  }
}
