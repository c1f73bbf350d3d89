import { Module } from '@nestjs/common';
import { PROBLEMS } from '../infra/errors/app-error';
import { registerErrorMapper } from '../infra/errors/problem';
import { CodecError } from './codec-error';
import { LibvirtCodecs } from './libvirt-codecs.service';

export { LibvirtCodecs } from './libvirt-codecs.service';

// CodecError → problem+json / GraphQL extensions, once (DESIGN.md §3): invalid xl.cfg and XML are 400s
// carrying where (line, column, path) and what.
let mapperRegistered = false;
function registerCodecErrorMapper(): void {
  if (mapperRegistered) return;
  mapperRegistered = true;
  registerErrorMapper((err) => {
    if (!(err instanceof CodecError)) return undefined;
    const code = err.code === 'invalid-config' ? 'validation-failed' : err.code;
    const { status, title } = PROBLEMS[code];
    const extra: Record<string, unknown> = {};
    if (err.line !== undefined) extra.line = err.line;
    if (err.column !== undefined) extra.column = err.column;
    if (err.path !== undefined) extra.path = err.path;
    return { code, status, title, detail: err.message, extra };
  });
}

@Module({
  providers: [LibvirtCodecs],
  exports: [LibvirtCodecs],
})
export class LibvirtModule {
  constructor() {
    registerCodecErrorMapper();
  }
}
