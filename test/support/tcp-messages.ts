import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { freePort } from './free-port';

/**
 * A TCP microservice on an application (a free port of 127.0.0.1) and a client that sends it
 * messages. Pass `attach` as the test app's `configure`; `send` connects on first use; `close()`
 * in an `afterAll`.
 */
export class TcpMessages {
  #options?: { host: string; port: number };
  #client?: ClientProxy;

  readonly attach = async (app: INestApplication): Promise<void> => {
    this.#options = { host: '127.0.0.1', port: await freePort() };
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: this.#options });
    await app.startAllMicroservices();
  };

  /** Sends `data` to the handler of `pattern` and resolves to its reply (rejects with its error). */
  async send<Reply = unknown>(pattern: string, data: unknown): Promise<Reply> {
    if (!this.#options) throw new Error('TcpMessages: attach() has not run (pass it as configure)');
    if (!this.#client) {
      this.#client = ClientProxyFactory.create({ transport: Transport.TCP, options: this.#options });
      await this.#client.connect();
    }
    return firstValueFrom(this.#client.send<Reply>(pattern, data));
  }

  async close(): Promise<void> {
    await this.#client?.close();
    this.#client = undefined;
  }
}
