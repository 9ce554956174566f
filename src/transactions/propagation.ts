/**
 * How a transactional unit relates to the transaction it is called in (the names of Spring and
 * `@nestjs-cls/transactional`). See docs/transactions.md for what each does.
 */
export type Propagation = 'REQUIRED' | 'REQUIRES_NEW' | 'NESTED' | 'MANDATORY' | 'NEVER' | 'SUPPORTS' | 'NOT_SUPPORTED';

export const PROPAGATIONS: readonly Propagation[] = [
  'REQUIRED',
  'REQUIRES_NEW',
  'NESTED',
  'MANDATORY',
  'NEVER',
  'SUPPORTS',
  'NOT_SUPPORTED',
];
