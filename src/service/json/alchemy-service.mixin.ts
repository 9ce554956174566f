import { Injectable } from '@nestjs/common';
import { JsonResponse, type JsonifyOptions } from './json-response';

/** Any class, for the mixin to extend. */
export type Constructor<Instance = object> = abstract new (...args: never[]) => Instance;

/** What the mixin adds: the seed's `FlaskServiceMixin.jsonify`. */
export interface Jsonify {
  /**
   * A JSON response with that status and headers (default 200): entities, arrays, pagination,
   * Maps, Sets, Dates and bigints converted to plain JSON. Return it from a handler.
   */
  jsonify<Data>(data: Data, options?: JsonifyOptions): JsonResponse<Data>;
}

/** The class `AlchemyServiceMixin(Base)` returns: Base's constructor and statics, instances with `jsonify`. */
export type WithJsonify<Base extends Constructor> = Base extends abstract new (...args: infer Args) => infer Instance
  ? (new (...args: Args) => Instance & Jsonify) & Pick<Base, keyof Base>
  : never;

/** Adds `jsonify` to a service class: `class BookService extends AlchemyServiceMixin(BookRepositoryService) {}`. */
export function AlchemyServiceMixin<Base extends Constructor>(base: Base): WithJsonify<Base> {
  // Typed as a plain constructor here: TypeScript's own mixin form would need `any[]` arguments.
  class Jsonifying extends (base as unknown as new () => object) implements Jsonify {
    jsonify<Data>(data: Data, options?: JsonifyOptions): JsonResponse<Data> {
      return new JsonResponse(data, options);
    }
  }
  return Jsonifying as unknown as WithJsonify<Base>;
}

/** The mixin over an empty base, ready to extend or inject. */
@Injectable()
export class AlchemyService extends AlchemyServiceMixin(class {}) {}
