/**
 * A stand-in OTLP/HTTP receiver for measuring tracing's cost: it reads every export, counts it
 * and its bytes, and answers 200 with an empty body (a valid, empty ExportTraceServiceResponse
 * in protobuf and JSON alike). The spans are dropped: what is measured is the traced service's
 * work (creating, batching, encoding and sending spans), not a collector's.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

export class OtlpSink {
  exports = 0;
  bytes = 0;
  url = '';
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
      });
      req.on('end', () => {
        this.exports += 1;
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' });
        res.end();
      });
    });
  }

  static async start(): Promise<OtlpSink> {
    const sink = new OtlpSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    sink.url = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
    return sink;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
