import { Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RowWriter } from './fixtures/row-writer.service';
import { describeStatusMatrix } from './fixtures/status-matrix';

/** The status sources that use Fastify's own reply object. */
@Controller('fastify')
class FastifyReplyController {
  constructor(private readonly rows: RowWriter) {}

  @Get('passthrough-302') async passthrough302(
    @Query('marker') marker: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.rows.write(marker);
    reply.status(302).header('location', '/elsewhere');
    return { marker };
  }

  @Get('passthrough-404') async passthrough404(
    @Query('marker') marker: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.rows.write(marker);
    reply.status(404);
    return { marker };
  }

  // Without passthrough the handler sends the reply itself; the module still holds the bytes at
  // Node's level (Fastify writes through reply.raw) until the session has ended by that status.
  @Post('self-sent-201') async selfSent201(@Query('marker') marker: string, @Res() reply: FastifyReply) {
    await this.rows.write(marker);
    await reply.code(201).send({ marker });
  }

  @Post('self-sent-400') async selfSent400(@Query('marker') marker: string, @Res() reply: FastifyReply) {
    await this.rows.write(marker);
    await reply.code(400).send({ marker, error: 'refused' });
  }
}

describeStatusMatrix(
  'fastify',
  [FastifyReplyController],
  [
    {
      source: '@Res({ passthrough: true }) reply.status(302)',
      method: 'get',
      path: '/fastify/passthrough-302',
      status: 302,
    },
    {
      source: '@Res({ passthrough: true }) reply.status(404)',
      method: 'get',
      path: '/fastify/passthrough-404',
      status: 404,
    },
    { source: '@Res() reply.code(201).send()', method: 'post', path: '/fastify/self-sent-201', status: 201 },
    { source: '@Res() reply.code(400).send()', method: 'post', path: '/fastify/self-sent-400', status: 400 },
  ],
);
