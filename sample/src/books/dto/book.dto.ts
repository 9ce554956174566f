import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** The body of `POST /books`. The lengths match the columns of `Book`. */
export class CreateBookDto {
  @ApiProperty({ example: 'The Left Hand of Darkness', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiProperty({ example: '978-0-441-47812-5', description: 'ISBN-10 or ISBN-13, digits and hyphens' })
  @IsString()
  @Matches(/^[0-9][0-9-]{8,15}[0-9X]$/, { message: 'isbn must be 10 to 17 digits and hyphens (an X may end it)' })
  isbn!: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1969 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3000)
  publishedYear?: number | null;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  authorId!: string;
}

/** The body of `PATCH /books/:id`: any subset of the fields, with the same rules. */
export class UpdateBookDto extends PartialType(CreateBookDto) {}
