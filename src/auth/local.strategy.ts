import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { clientAddress } from './actor';
import { AuthService, SignInResult } from './auth.service';

/** Passport's local strategy: the outcome (user or reason) goes back to the sign-in controller. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly authService: AuthService) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true });
  }

  async validate(req: Request, username: string, password: string): Promise<SignInResult> {
    return this.authService.verifyCredentials(username, password, clientAddress(req));
  }
}
