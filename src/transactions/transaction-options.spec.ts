import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { Propagation } from './propagation';
import { unitOptions } from './transaction-options';
import { Transactional } from './transactional.decorator';

describe('unitOptions', () => {
  it('defaults to REQUIRED, one attempt, no backoff', () => {
    expect(unitOptions({})).toMatchObject({ propagation: 'REQUIRED', attempts: 1, backoffMs: 0 });
  });

  it.each([
    [
      { propagation: 'REQUIRED_NEW' as Propagation },
      /Unknown transaction propagation "REQUIRED_NEW": use one of REQUIRED/,
    ],
    [{ isolationLevel: 'SNAPSHOT' as never }, /Unknown isolation level "SNAPSHOT"/],
    [{ retry: { attempts: 0 } }, /retry.attempts must be a whole number of runs, 1 or more \(got 0\)/],
    [{ retry: { attempts: 2, backoffMs: -1 } }, /retry.backoffMs must be 0 or more/],
  ])('refuses %j with a message naming what to use', (options, message) => {
    expect(() => unitOptions(options)).toThrow(ImproperConfigurationError);
    expect(() => unitOptions(options)).toThrow(message);
  });

  it('is checked where @Transactional() is applied, when the class is defined', () => {
    expect(() => Transactional({ retry: { attempts: 1.5 } })).toThrow(ImproperConfigurationError);
  });
});
