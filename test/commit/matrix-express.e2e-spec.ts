import { Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RowWriter } from './fixtures/row-writer.service';
import { describeStatusMatrix } from './fixtures/status-matrix';

/** The status sources that use Express's own response object. */
@Controller('express')
class ExpressResponseController {
  constructor(private readonly rows: RowWriter) {}

  @Get('passthrough-302') async passthrough302(
    @Query('marker') marker: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.rows.write(marker);
    res.status(302).setHeader('location', '/elsewhere');
    return { marker };
  }

  @Get('passthrough-404') async passthrough404(
    @Query('marker') marker: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.rows.write(marker);
    res.status(404);
    return { marker };
  }

  // Without passthrough the handler sends the response itself; the module still holds the bytes
  // at Node's level until the session has ended by the status it sent.
  @Post('self-sent-201') async selfSent201(@Query('marker') marker: string, @Res() res: Response) {
    await this.rows.write(marker);
    res.status(201).json({ marker });
  }

  @Post('self-sent-400') async selfSent400(@Query('marker') marker: string, @Res() res: Response) {
    await this.rows.write(marker);
    res.status(400).json({ marker, error: 'refused' });
  }
}

describeStatusMatrix(
  'express',
  [ExpressResponseController],
  [
    {
      source: '@Res({ passthrough: true }) res.status(302)',
      method: 'get',
      path: '/express/passthrough-302',
      status: 302,
    },
    {
      source: '@Res({ passthrough: true }) res.status(404)',
      method: 'get',
      path: '/express/passthrough-404',
      status: 404,
    },
    { source: '@Res() res.status(201).json()', method: 'post', path: '/express/self-sent-201', status: 201 },
    { source: '@Res() res.status(400).json()', method: 'post', path: '/express/self-sent-400', status: 400 },
  ],
);
