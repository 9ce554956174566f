import { Controller, Get, Injectable, Post } from '@nestjs/common';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';

/** The table of `Note`: every suite has a database of its own, so they share the name. */
export const NOTES = 'notes';

/** The smallest entity a suite can write: one title. */
@Entity(NOTES)
export class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) title!: string;
}

/** Writes and counts notes through the request's session. */
@Injectable()
export class NotesService {
  constructor(@InjectSession() private readonly session: Session) {}
  add(title: string): Promise<Note> {
    return this.session.getRepository(Note).save({ title });
  }
  count(): Promise<number> {
    return this.session.getRepository(Note).count();
  }
}

/**
 * `POST /notes` writes a note and answers 201; `POST /notes/fail` writes one, then throws (500);
 * `GET /notes/count` reads through the session; `GET /notes/ping` touches no database.
 * Provide `NotesService` beside it.
 */
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Post() add(): Promise<Note> {
    return this.notes.add('kept');
  }
  @Post('fail') async fail(): Promise<never> {
    await this.notes.add('failed');
    throw new Error('fails after writing');
  }
  @Get('count') async count(): Promise<{ count: number }> {
    return { count: await this.notes.count() };
  }
  @Get('ping') ping(): string {
    return 'pong';
  }
}

/** The module parts of an application with notes. */
export const NOTES_APP = { entities: [Note], controllers: [NotesController], providers: [NotesService] };
