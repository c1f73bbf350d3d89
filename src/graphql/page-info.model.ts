import { Field, ObjectType } from '@nestjs/graphql';

/** Relay-style page information for cursor-paginated connections. */
@ObjectType({ description: 'Where a page of a cursor-paginated connection ends.' })
export class PageInfo {
  @Field({
    description: 'True when more items follow this page (ask again with `after: endCursor`).',
  })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of this page; null when the page is empty.',
  })
  endCursor!: string | null;
}
