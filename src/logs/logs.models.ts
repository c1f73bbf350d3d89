import { Field, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { PageInfo } from '../graphql/page-info.model';

@ObjectType({ description: "One line of a host component's console ring." })
export class ConsoleLine {
  @Field({ description: 'Cursor of the line (its engine sequence number, decimal).' })
  @ApiProperty({ example: '88' })
  cursor!: string;

  @Field({ description: 'Who printed it: `xen`, `dom0`, `qemu`, `guest:<domid>`.' })
  @ApiProperty({ example: 'dom0' })
  source!: string;

  @Field({ description: 'The exact text the component printed.' })
  @ApiProperty({ example: 'msix entry 0 for dev 01:10:0 are not freed before acquire again.' })
  text!: string;

  @Field({ description: 'Virtual time of the line, ns since the host was created (decimal).' })
  @ApiProperty({ example: '1500000000' })
  virtualTimeNs!: string;
}

export class ConsoleLinePage {
  @ApiProperty({ type: [ConsoleLine], description: 'Lines, oldest first.' })
  items!: ConsoleLine[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Pass as `after` for the next page (or to poll for new lines): the last line returned, or the ' +
      '`after` given when none was; null when there was neither.',
  })
  nextCursor!: string | null;

  @ApiProperty({ description: 'More lines already follow this page.' })
  hasMore!: boolean;
}

@ObjectType({ description: 'A console line with its cursor.' })
export class ConsoleLineEdge {
  @Field({ description: 'Cursor of this line.' })
  cursor!: string;

  @Field(() => ConsoleLine, { description: 'The line.' })
  node!: ConsoleLine;
}

@ObjectType({ description: "A page of a host's console logs." })
export class ConsoleLineConnection {
  @Field(() => [ConsoleLineEdge], { description: 'Lines, oldest first.' })
  edges!: ConsoleLineEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;
}
