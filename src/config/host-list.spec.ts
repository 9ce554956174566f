import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { parseConnectionString } from './connection-string';

function startupError(connectionString: string): string {
  try {
    parseConnectionString(connectionString, 'orders');
  } catch (error) {
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    return (error as Error).message;
  }
  throw new Error(`parseConnectionString accepted ${connectionString}`);
}

describe('multi-host PostgreSQL URLs (libpq style)', () => {
  it('lists every host in order, with default ports, and the role to look for', () => {
    const target = parseConnectionString(
      'postgresql://app:s3cret@db1:5433,db2,[::1]:5434/shop?target_session_attrs=read-write',
      'orders',
    );
    expect(target.hostChoice).toEqual({
      hosts: [
        { host: 'db1', port: 5433 },
        { host: 'db2', port: 5432 },
        { host: '::1', port: 5434 },
      ],
      targetSessionAttrs: 'read-write',
    });
    expect(target.options).toMatchObject({ host: 'db1', port: 5433, username: 'app', database: 'shop' });
    expect(target.password).toBe('s3cret');
  });

  it('takes any server by default, and target_session_attrs on one host checks that host', () => {
    expect(parseConnectionString('postgresql://db1,db2/shop', 'orders').hostChoice?.targetSessionAttrs).toBe('any');
    expect(parseConnectionString('postgresql://db1/shop?target_session_attrs=standby', 'orders').hostChoice).toEqual({
      hosts: [{ host: 'db1', port: 5432 }],
      targetSessionAttrs: 'standby',
    });
    expect(parseConnectionString('postgresql://db1/shop', 'orders').hostChoice).toBeUndefined();
  });

  it.each([
    ['postgresql://u:pw@db1:5432,,db2/shop', /malformed host 2 in its host list \(""\)/],
    ['postgresql://u:pw@db1:5432,db2:70000/shop', /port "70000" for host 2 .* a port is 1 to 65535/],
    ['postgresql://u:pw@db1:5432,db2:x/shop', /malformed host 2 in its host list \("db2:x"\)/],
    ['postgresql://u:pw@db1,db2/shop?target_session_attrs=master', /target_session_attrs=master, which is not known/],
    ['mariadb://u:pw@db1:3306,db2:3306/shop', /lists several hosts; only PostgreSQL URLs can/],
  ])('refuses %s at startup, naming the fix and never the password', (url, expected) => {
    const message = startupError(url);
    expect(message).toMatch(expected);
    expect(message).toMatch(/connectionString of bind key "orders"/);
    expect(message).not.toContain('pw@');
  });
});
