import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** The nesting a body may have by default: far beyond any DTO, far below what overflows a recursive walk. */
export const DEFAULT_MAX_BODY_DEPTH = 32;

/**
 * Refuses a request body nested deeper than `maxDepth` objects/arrays with a 400, before the
 * `ValidationPipe`: class-transformer (behind `ValidationPipe({ transform })` and its validation)
 * walks a body recursively, so a body nested some thousands of levels deep overflows the stack
 * (`RangeError: Maximum call stack size exceeded`) and the client gets a 500. Put it first:
 * `app.useGlobalPipes(new MaxDepthPipe(), new ValidationPipe(...))`. It measures without recursion
 * and stops at the first branch past the limit. Only bodies are checked (query strings are parsed
 * with a depth limit of their own).
 */
@Injectable()
export class MaxDepthPipe implements PipeTransform {
  constructor(private readonly maxDepth: number = DEFAULT_MAX_BODY_DEPTH) {
    if (!Number.isInteger(maxDepth) || maxDepth < 1) {
      throw new RangeError(`MaxDepthPipe: maxDepth must be a positive integer (got ${String(maxDepth)}).`);
    }
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || !exceedsDepth(value, this.maxDepth)) return value;
    throw new BadRequestException(
      `The request body is nested deeper than ${this.maxDepth} levels of objects and arrays: send a flatter body.`,
    );
  }
}

/** Whether `value` holds objects or arrays nested more than `maxDepth` deep; iterative, so any depth is safe. */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}
