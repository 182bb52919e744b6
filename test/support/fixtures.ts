import { randomInt, randomUUID } from 'node:crypto';
import { Actor, toActor } from '../../src/auth/actor';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { cliContext } from '../../src/audit/audit.service';
import { ClientErasureService } from '../../src/erasure/erasure.service';
import type { Persona, TestApp } from './app';

/** The persona as the services see a signed-in user. */
export const actorOf = (persona: Persona, grantedOrganizationIds: string[] = []): Actor =>
  toActor({
    id: persona.userId,
    username: persona.username,
    role: persona.role,
    organizationId: persona.organizationId,
    grantedOrganizationIds,
    mustChangePassword: false,
    totpEnabled: persona.totpSecret !== undefined,
  });

const LETTERS = 'ABCDEGHKLMNPQRSTUVXY';
export const randomLetters = (n: number) =>
  Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join('');

/** A client code's parts, fresh each time (collisions are retried by `aClient`). */
export const aUic = () => ({
  mother: randomLetters(2),
  father: randomLetters(2),
  sex: 'F' as const,
  own: randomLetters(1),
});

/** A consenting client registered in the persona's organization, through the same service as the pages. */
export async function aClient(
  t: TestApp,
  persona: Persona,
  options: { primaryDistrict?: string; firstContactDate?: string; alias?: string } = {},
): Promise<Client> {
  for (;;) {
    const outcome = await t.app.get(ClientsService).register(actorOf(persona), cliContext(), {
      uic: aUic(),
      gender: 'female',
      birthYear: 1985 + randomInt(20),
      primaryDistrict: options.primaryDistrict ?? 'hoan-kiem',
      workSetting: 'street',
      firstContactDate: options.firstContactDate ?? '2024-03-01',
      consentDate: options.firstContactDate ?? '2024-03-01',
      confirmKnownElsewhere: true,
      submissionKey: randomUUID(),
      alias: options.alias,
    });
    if (outcome.kind === 'created') return outcome.client;
  }
}

/** Erases the client as a manager would (crypto-shredding): its record becomes an anonymous tombstone. */
export async function erase(t: TestApp, client: Pick<Client, 'id'>): Promise<void> {
  await t.app.get(ClientErasureService).erase(cliContext(), client.id, 'client_request');
}

export { addDays } from '../../src/web/days';
