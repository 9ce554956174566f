import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The body of `POST /authors`. The length matches the column of `Author`. */
export class CreateAuthorDto {
  @ApiProperty({ example: 'Ursula K. Le Guin', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1929 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3000)
  birthYear?: number | null;
}

/** The body of `PATCH /authors/:id`: any subset of the fields, with the same rules. */
export class UpdateAuthorDto extends PartialType(CreateAuthorDto) {}
