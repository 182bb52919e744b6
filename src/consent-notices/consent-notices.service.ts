import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { isUniqueViolation } from '../database/errors';
import type { ConsentNotice } from './consent-notice.entity';
import { ConsentNoticesRepository, NoticeListing } from './consent-notices.repository';
import { needsRenewal, suggestedVersion, versionRefusal } from './notice-version';

/** What an admin publishes: a version and both texts (already tidied by the form). */
export interface NoticeInput {
  version: string;
  bodyVi: string;
  bodyEn: string;
}

/** The notice cannot be published: its version (format, future month, not greater) or unchanged texts. */
export class NoticeRefusedError extends Error {
  constructor(
    readonly field: keyof NoticeInput,
    readonly reasonKey: string,
  ) {
    super(reasonKey);
  }
}

/**
 * The notice read to clients before they consent, in versions. Registration records the current version;
 * a client who agreed to an older one is asked again at their next contact.
 */
@Injectable()
export class ConsentNoticesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly noticesRepository: ConsentNoticesRepository,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The notice in force. The migration that created the table published the first one, so there is always one. */
  async current(): Promise<ConsentNotice> {
    const notice = await this.noticesRepository.current();
    if (!notice) throw new Error('No consent notice is published');
    return notice;
  }

  /** The current notice when a client who agreed to `agreedVersion` must hear it and agree again, else null. */
  async renewalFor(agreedVersion: string): Promise<ConsentNotice | null> {
    const notice = await this.current();
    return needsRenewal(agreedVersion, notice.version) ? notice : null;
  }

  /** Every version, newest (the current one) first. */
  list(): Promise<NoticeListing[]> {
    return this.noticesRepository.list();
  }

  async get(version: string): Promise<ConsentNotice> {
    const notice = await this.noticesRepository.findByVersion(version);
    if (!notice) throw new NotFoundException();
    return notice;
  }

  /** What the publish form proposes as the next version. */
  async suggestedVersion(): Promise<string> {
    return suggestedVersion((await this.current()).version, this.today());
  }

  /**
   * Publishes a new version, which becomes the current one at once. It must be greater than the current
   * version (checked under the table's lock), not name a later month, and change at least one text.
   * Audited in the same transaction.
   */
  async publish(actor: Actor, context: AuditContext, input: NoticeInput): Promise<ConsentNotice> {
    try {
      return await this.dataSource.transaction(async (tx) => {
        await this.noticesRepository.lockForPublishing(tx);
        const current = await this.noticesRepository.current(tx);
        const refusal = current ? versionRefusal(input.version, current.version, this.today()) : null;
        if (refusal) throw new NoticeRefusedError('version', refusal);
        // A new version makes every client agree again: not for texts that did not change.
        if (current && current.bodyVi === input.bodyVi && current.bodyEn === input.bodyEn) {
          throw new NoticeRefusedError('bodyVi', 'consentNotices.errors.unchanged');
        }
        const notice = await this.noticesRepository.insert(tx, {
          ...input,
          publishedAt: this.clock.now(),
          publishedBy: actor.userId,
        });
        await this.auditService.record(tx, context, {
          action: 'consent_notice.published',
          target: { type: 'consent_notice', id: notice.version },
          organizationId: null,
          details: { replaced: current?.version ?? null },
        });
        return notice;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new NoticeRefusedError('version', 'consentNotices.errors.versionNotGreater');
      throw error;
    }
  }

  private today(): string {
    return localDay(this.clock.now());
  }
}
