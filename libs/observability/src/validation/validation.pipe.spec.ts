import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { RequestValidationError } from '../errors/request-validation.error.js';
import { createValidationPipe, flattenValidationErrors } from './validation.pipe.js';

class EventDto {
  @IsIn(['click', 'view'])
  event_type!: string;
}

class AddressDto {
  @IsString()
  city!: string;
}

class BatchDto {
  @IsInt()
  @Min(1)
  limit!: number;

  @ValidateNested()
  @Type(() => AddressDto)
  address!: AddressDto;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EventDto)
  items!: EventDto[];
}

const body: ArgumentMetadata = { type: 'body', metatype: BatchDto };

async function fieldErrorsOf(value: unknown) {
  try {
    await createValidationPipe().transform(value, body);
  } catch (err: unknown) {
    if (err instanceof RequestValidationError) return err.fieldErrors;
    throw err;
  }
  throw new Error('expected a RequestValidationError');
}

describe('createValidationPipe', () => {
  it('says "is required" once for a missing field, whatever rules it has', async () => {
    const errors = await fieldErrorsOf({ address: { city: 'Oslo' }, items: [{}] });
    expect(errors).toEqual([
      { field: 'limit', code: 'required', message: 'limit is required' },
      {
        field: 'items[0].event_type',
        code: 'required',
        message: 'items[0].event_type is required',
      },
    ]);
  });

  it('flattens nested errors to field paths, one per failed rule', async () => {
    const errors = await fieldErrorsOf({
      limit: 0,
      address: { city: 7 },
      items: [{ event_type: 'click' }, { event_type: 'view' }, { event_type: 'hover' }],
    });
    expect(errors).toEqual([
      { field: 'limit', code: 'min', message: 'limit must not be less than 1' },
      { field: 'address.city', code: 'isString', message: 'city must be a string' },
      {
        field: 'items[2].event_type',
        code: 'isIn',
        message: 'event_type must be one of the following values: click, view',
      },
    ]);
  });

  it('rejects unknown properties, also nested ones', async () => {
    const errors = await fieldErrorsOf({
      limit: 1,
      address: { city: 'Oslo', zip: '0150' },
      items: [],
      admin: true,
    });
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['admin', 'whitelistValidation'],
      ['address.zip', 'whitelistValidation'],
    ]);
  });

  it('does not echo rejected values', async () => {
    const errors = await fieldErrorsOf({ limit: 'secret-value', address: {}, items: [] });
    expect(JSON.stringify(errors)).not.toContain('secret-value');
  });

  it('returns a DTO instance when valid', async () => {
    const value: unknown = await createValidationPipe().transform(
      { limit: 2, address: { city: 'Oslo' }, items: [{ event_type: 'view' }] },
      body,
    );
    expect(value).toBeInstanceOf(BatchDto);
    expect((value as BatchDto).items[0]).toBeInstanceOf(EventDto);
  });
});

describe('flattenValidationErrors', () => {
  it('joins properties with dots and indices with brackets', () => {
    expect(
      flattenValidationErrors([
        {
          property: 'a',
          children: [
            {
              property: '0',
              children: [{ property: 'b', constraints: { isInt: 'b must be an integer' } }],
            },
          ],
        },
      ]),
    ).toEqual([{ field: 'a[0].b', code: 'isInt', message: 'b must be an integer' }]);
  });
});
