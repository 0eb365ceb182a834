import { Injectable, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { isId } from '@mam/domain';
import { Problem } from './problem';

/** Path ids follow api.md's id shape: anything else is a 400, never a lookup. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isId(value)) {
      throw Problem.validation([{ path: `params.${metadata.data ?? 'id'}`, message: 'must be 1–64 characters of [A-Za-z0-9._:-]' }]);
    }
    return value;
  }
}
