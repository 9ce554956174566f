import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** The body of `POST /books`. The lengths match the columns of `Book`. */
export class CreateBookDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  author!: string;
}
