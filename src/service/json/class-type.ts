/** A class: what entity and class-transformer metadata are keyed by. */
export type ClassType = abstract new (...args: never[]) => unknown;
