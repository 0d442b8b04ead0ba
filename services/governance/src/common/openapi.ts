import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** An `application/problem+json` answer (RFC 9457) with the platform's stable `code`. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  status!: number;

  @ApiProperty({ example: 'GOVERNANCE.CANDIDATE_NOT_ACCEPTED' })
  code!: string;

  @ApiPropertyOptional()
  detail?: string;

  @ApiPropertyOptional()
  instance?: string;
}

/** Documents problem answers of an operation: `[status, what]` pairs. */
export function ApiProblems(...problems: [number, string][]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...problems.map(([status, description]) =>
      ApiResponse({
        status,
        description,
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } },
        },
      }),
    ),
  );
}
