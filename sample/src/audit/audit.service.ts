import { Injectable } from '@nestjs/common';
import { AlchemyRepositoryService, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { AuditEntry } from './audit-entry.entity';

/** The bind key of the audit database. */
export const AUDIT = 'audit';

export interface AuditRecord {
  action: string;
  subjectId: string | number;
  summary?: string;
}

/**
 * Writes the audit log. The `audit` bind key is in `manual` commit mode: the module never commits
 * it, so this service commits its own rows. Callers record a change only once it has succeeded (the
 * catalogue row is written and its constraints checked), as the last step of a request: a request
 * that fails earlier never gets here, and the `default` bind key's `autocommit` mode rolls back its
 * catalogue writes; if recording fails, the request fails and its catalogue writes are rolled back.
 *
 * The one gap: the audit row is committed before the catalogue's commit at the end of the request.
 * Should that commit fail (a lost connection, say), the client gets a 5xx and the log holds an
 * entry for a change that was not stored. Two databases cannot commit atomically without two-phase
 * commit, which TypeORM lacks.
 */
@Injectable()
export class AuditService extends AlchemyRepositoryService<AuditEntry> {
  constructor(@InjectSession(AUDIT) session: Session) {
    super(session, AuditEntry);
  }

  async record(...records: AuditRecord[]): Promise<void> {
    await this.createMany(
      records.map(({ action, subjectId, summary }) => ({
        action,
        subjectId: String(subjectId),
        summary: summary ?? null,
      })),
    );
    await this.session.commit();
  }
}
