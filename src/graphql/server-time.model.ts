import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A reading of the server clock.' })
export class ServerTime {
  @Field({ description: 'ISO-8601 wall-clock time of the server.' })
  iso!: string;

  @Field({ description: 'The ptlab version serving the request.' })
  version!: string;
}
