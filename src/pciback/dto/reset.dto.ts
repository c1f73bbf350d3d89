import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { ResetMethod } from '../../engine';

export const RESET_METHODS: readonly ResetMethod[] = ['flr', 'bus', 'backdoor'];

@InputType('ResetNodeDeviceInput', { description: 'How to reset a PCI function.' })
export class ResetNodeDeviceDto {
  @Field(() => String, {
    description:
      '`flr`: Function Level Reset; `bus`: secondary bus reset on the parent bridge (every function ' +
      'behind it); `backdoor`: BIST (the IPR adapter backdoor reset).',
  })
  @ApiProperty({ enum: RESET_METHODS, example: 'flr' })
  @IsIn(RESET_METHODS, { message: `method must be one of ${RESET_METHODS.join(', ')}` })
  method!: ResetMethod;
}
