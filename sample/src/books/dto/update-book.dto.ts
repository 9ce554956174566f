import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** The body of `PATCH /books/:id`: any subset of the fields of `CreateBookDto`. */
export class UpdateBookDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  author?: string;
}
