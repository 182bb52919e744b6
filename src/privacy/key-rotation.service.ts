import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Tx } from '../database/transaction';
import { ClientDataKeys } from './client-data-keys';
import { FieldCipher } from './field-cipher';

/** A column holding text sealed with the application key ring, and how to re-seal one value. */
interface SealedColumn {
  /** `table.column`, as printed and audited. */
  name: string;
  table: string;
  column: string;
  reseal: (ciphertext: string) => string;
}

export interface RotationOptions {
  /** Rows re-encrypted per transaction. */
  batchSize?: number;
  /** Stop after this many batches in all (the rest is done by the next run). */
  maxBatches?: number;
}

export interface RotationReport {
  activeKeyId: string;
  /** Per column: rows re-encrypted by this run, and rows still under another key. */
  columns: Array<{ name: string; rotated: number; remaining: number }>;
  complete: boolean;
}

export const DEFAULT_BATCH_SIZE = 500;

/**
 * Re-encrypts everything sealed with the application key ring under its active key (FIELD_KEY_ID,
 * by default the last key of FIELD_KEYS), so an old key can then leave the ring.
 *
 * - Per-client data keys are re-wrapped: the client keys themselves do not change, so the aliases
 *   and notes sealed with them stay valid and are never decrypted here.
 * - TOTP secrets are decrypted and encrypted again.
 *
 * Only rows whose key id (the prefix before the first ':') is not the active one are selected, in
 * batches of one transaction each, so a run that stops halfway (crash, Ctrl-C, `maxBatches`) is
 * resumed by running it again. Rows are locked while re-sealed, so a concurrent change of the same
 * row (a TOTP reset) waits rather than being overwritten.
 */
@Injectable()
export class KeyRotationService {
  private readonly sealedColumns: readonly SealedColumn[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly auditService: AuditService,
    private readonly cipher: FieldCipher,
    dataKeys: ClientDataKeys,
  ) {
    this.sealedColumns = [
      {
        name: 'client.data_key_cipher',
        table: 'client',
        column: 'data_key_cipher',
        reseal: (wrapped) => dataKeys.rewrap(wrapped),
      },
      {
        name: 'app_user.totp_secret_cipher',
        table: 'app_user',
        column: 'totp_secret_cipher',
        reseal: (sealed) => cipher.encrypt(cipher.decrypt(sealed)),
      },
      {
        // A group session's note belongs to the group, not to one client: sealed with the key ring.
        name: 'group_session.note_cipher',
        table: 'group_session',
        column: 'note_cipher',
        reseal: (sealed) => cipher.encrypt(cipher.decrypt(sealed)),
      },
    ];
  }

  get activeKeyId(): string {
    return this.cipher.activeKeyId;
  }

  async rotate(context: AuditContext, options: RotationOptions = {}): Promise<RotationReport> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let batchesLeft = options.maxBatches ?? Number.POSITIVE_INFINITY;
    const columns: RotationReport['columns'] = [];
    for (const sealed of this.sealedColumns) {
      let rotated = 0;
      let after: string | null = null;
      while (batchesLeft > 0) {
        const batch = await this.dataSource.transaction((tx) => this.rotateBatch(tx, sealed, after, batchSize));
        if (batch.count === 0) break;
        batchesLeft--;
        rotated += batch.count;
        after = batch.lastId;
        if (batch.count < batchSize) break;
      }
      columns.push({ name: sealed.name, rotated, remaining: await this.remaining(sealed) });
    }
    const report = { activeKeyId: this.activeKeyId, columns, complete: columns.every((c) => c.remaining === 0) };
    await this.auditService.record(null, context, {
      action: 'keys.rotated',
      details: {
        activeKeyId: report.activeKeyId,
        complete: report.complete,
        rotated: Object.fromEntries(columns.map((c) => [c.name, c.rotated])),
        remaining: Object.fromEntries(columns.map((c) => [c.name, c.remaining])),
      },
    });
    return report;
  }

  /** One batch, in one transaction: the next rows (by id) still sealed under another key. */
  private async rotateBatch(
    tx: Tx,
    sealed: SealedColumn,
    after: string | null,
    batchSize: number,
  ): Promise<{ count: number; lastId: string | null }> {
    const { table, column } = sealed;
    const rows: Array<{ id: string; ciphertext: string }> = await tx.query(
      `SELECT id::text AS id, "${column}" AS ciphertext FROM "${table}"
        WHERE "${column}" IS NOT NULL AND split_part("${column}", ':', 1) <> $1
          AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3 FOR UPDATE`,
      [this.activeKeyId, after, batchSize],
    );
    for (const row of rows) {
      let resealed: string;
      try {
        resealed = sealed.reseal(row.ciphertext);
      } catch (error) {
        // Names the row, never its content: e.g. a key id no longer in FIELD_KEYS.
        throw new Error(`${sealed.name} of row ${row.id} cannot be decrypted: ${(error as Error).message}`);
      }
      await tx.query(`UPDATE "${table}" SET "${column}" = $1 WHERE id = $2::uuid`, [resealed, row.id]);
    }
    return { count: rows.length, lastId: rows.at(-1)?.id ?? null };
  }

  private async remaining(sealed: SealedColumn): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM "${sealed.table}"
        WHERE "${sealed.column}" IS NOT NULL AND split_part("${sealed.column}", ':', 1) <> $1`,
      [this.activeKeyId],
    );
    return row.count;
  }
}
