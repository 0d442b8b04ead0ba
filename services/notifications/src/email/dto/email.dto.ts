import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { EMAIL_MODES, type EmailMode } from '@ihf/contracts';

export class EmailPreferenceDto {
  @ApiProperty({
    enum: EMAIL_MODES,
    description: 'Each notice at once, one mail a day with all of them, or no e-mail',
  })
  @IsIn(EMAIL_MODES)
  mode!: EmailMode;
}

export class EmailPreferenceView {
  @ApiProperty({ enum: EMAIL_MODES }) mode!: EmailMode;
}

export class UnsubscribeQueryDto {
  @ApiProperty({ description: 'The signed token of the link in the mail' })
  @IsString()
  @MaxLength(200)
  token!: string;
}

export class UnsubscribedView {
  @ApiProperty({ enum: EMAIL_MODES, example: 'off' }) mode!: EmailMode;
}
