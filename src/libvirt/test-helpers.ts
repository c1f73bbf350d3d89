// Shared by the libvirt codec specs (not part of the codecs' API).
import { CodecError } from './codec-error';

/** Runs `fn`, expects a CodecError and returns it, so a test can assert code, line, column and message. */
export function codecErrorOf(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw new Error(`expected a CodecError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a CodecError, but nothing was thrown');
}
