import { Injectable } from '@nestjs/common';
import { AlchemyReadOnlyRepositoryService, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { AuditEntry } from './audit-entry.entity';
import { AUDIT } from './audit.service';

/** Reads the audit log: the read-only repository service has no method that writes. */
@Injectable()
export class AuditLogService extends AlchemyReadOnlyRepositoryService<AuditEntry> {
  constructor(@InjectSession(AUDIT) session: Session) {
    super(session, AuditEntry);
  }
}
