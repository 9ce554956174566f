import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';

/** The body of `POST /loans`. */
export class CreateLoanDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  bookId!: string;

  @ApiProperty({ example: 'Ged', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  borrower!: string;
}

/** The body of `PATCH /loans/:id`: the change, and the version of the loan it was made on. */
export class UpdateLoanDto {
  @ApiProperty({ example: 'Ged', maxLength: 100, required: false })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  borrower?: string;

  @ApiProperty({ type: 'integer', description: 'The version read; a loan changed since is a 409.', example: 1 })
  @IsInt()
  @Min(1)
  version!: number;
}
