import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';

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
