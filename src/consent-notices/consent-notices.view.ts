import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { isRestricted } from '../privacy-requests/restriction';
import type { ConsentNotice } from './consent-notice.entity';
import type { NoticeListing } from './consent-notices.repository';

export const NOTICES_PATH = '/admin/consent-notices';
export const NEW_NOTICE_PATH = `${NOTICES_PATH}/new`;
export const noticePath = (version: string) => `${NOTICES_PATH}/${version}`;
export const consentPath = (clientId: string) => `/clients/${clientId}/consent`;

/** Where the renewal form was sent from, and so where the worker goes back to. */
export const RENEWAL_ORIGINS = ['client', 'contact'] as const;
export type RenewalOrigin = (typeof RENEWAL_ORIGINS)[number];

export const renewalReturnPath = (clientId: string, origin: unknown): string =>
  origin === 'contact' ? `/clients/${clientId}/contacts/new` : `/clients/${clientId}`;

const paragraphsOf = (body: string): string[] => body.split('\n').filter((line) => line.trim() !== '');

/** A notice as the registration page, the client page and the contact form show it (the template picks the UI language). */
export const toNoticeText = (notice: ConsentNotice) => ({
  version: notice.version,
  vi: paragraphsOf(notice.bodyVi),
  en: paragraphsOf(notice.bodyEn),
});

/** A line of the admin list. */
export const toNoticeRow = (listing: NoticeListing, currentVersion: string | null) => ({
  version: listing.version,
  href: noticePath(listing.version),
  publishedAt: listing.publishedAt,
  publisherName: listing.publisherName,
  current: listing.version === currentVersion,
});

/** The admin's reading page: both languages, side by side. */
export const toNoticeDetail = (notice: ConsentNotice, currentVersion: string) => ({
  ...toNoticeText(notice),
  publishedAt: notice.publishedAt,
  current: notice.version === currentVersion,
});

/** Renewed consent is a write to the client record: workers who may write it, while it is not restricted. */
export const mayRenewConsent = (actor: Actor, client: Pick<Client, 'restrictedAt'>): boolean =>
  actor.permissions.has('clients:write') && !isRestricted(client);

/**
 * The "renew consent" box for a client who agreed to an older notice: the current notice to read out,
 * and the form to record the new agreement (for those who may write client records).
 */
export const toRenewalView = (
  clientId: string,
  agreedVersion: string,
  notice: ConsentNotice,
  canRecord: boolean,
  origin: RenewalOrigin,
) => ({
  agreedVersion,
  notice: toNoticeText(notice),
  action: consentPath(clientId),
  canRecord,
  origin,
});
