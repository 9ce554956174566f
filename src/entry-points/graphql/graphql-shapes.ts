// The few shapes of graphql-js, Apollo Server and Mercurius the adapter reads, written out here so
// that the library never imports a GraphQL package (they are optional peers).

/** `info.path` of a resolver: `prev` is undefined for a top-level field of the operation. */
export interface FieldPath {
  readonly prev: FieldPath | undefined;
  readonly key: string | number;
}

/** The part of a resolver's `info` the adapter reads. */
export interface FieldInfo {
  readonly path: FieldPath;
  readonly fieldName: string;
  /** The operation's coerced variables: a new object for every execution, so it names the operation. */
  readonly variableValues: object;
  /** The field's type; printed, a non-null type ends with `!`. */
  readonly returnType: { toString(): string };
  readonly operation?: { readonly operation?: string };
}

/** An error in an answer, as clients receive it. */
export interface AnswerError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** An operation's answer (`data` and `errors`), changed in place before it is sent. */
export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<AnswerError>;
}
