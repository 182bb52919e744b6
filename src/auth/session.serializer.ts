import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import passport from 'passport';
import { UsersService } from '../users/users.service';
import type { SessionUser } from './actor';

/** The session keeps only the user id; the user is reloaded on every request, so a deactivation,
 *  a role change or a sign-out-everywhere takes effect at once. */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(private readonly usersService: UsersService) {
    // passport is a process-wide singleton that appends serializers; an app created after another
    // one in the same process (tests, the CLI) must not fall through to a closed app's serializer.
    const registry = passport as unknown as { _serializers: unknown[]; _deserializers: unknown[] };
    registry._serializers = [];
    registry._deserializers = [];
    super();
  }

  serializeUser(user: SessionUser, done: (err: Error | null, id?: string) => void): void {
    done(null, user.id);
  }

  deserializeUser(id: string, done: (err: Error | null, user?: SessionUser | false) => void): void {
    this.usersService.loadSessionUser(id).then(
      (user) => done(null, user ?? false),
      (error: Error) => done(error),
    );
  }
}
