/** Extension: a call's mixed recording (a node with `record: true`), once the call has ended. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { accountOf } from './auth.js';
import { HttpError } from './errors.js';
import { callParams, v1Errors } from './schemas.js';
import type { ApiService } from './service.js';

interface CallParams {
  phlo_id: string;
  node_id: string;
  call_id: string;
}

export function recordingRoutes(service: ApiService) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Params: CallParams }>(
      '/v1/phlo/:phlo_id/multi_party_call/:node_id/calls/:call_id/recording',
      {
        schema: {
          operationId: 'getCallRecording',
          summary: "A call's mixed recording, WAV (extension)",
          description:
            "The mix of what was heard (a warm transfer's private consultation is silence), " +
            '8 kHz 16-bit mono WAV; 404 while the call is live or when it was not recorded.',
          tags: ['Partyline extensions'],
          params: callParams,
          response: {
            200: {
              description: 'The recording',
              content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
            },
            ...v1Errors(false),
          },
        },
      },
      async (request, reply) => {
        const { phlo_id, node_id, call_id } = request.params;
        const recording = await service.getRecording(accountOf(request), phlo_id, node_id, call_id);
        const size = await stat(recording.path).then(
          (s) => s.size,
          () => null,
        );
        if (size === null)
          throw new HttpError(404, `call ${call_id} has no recording: its file is gone`);
        return reply
          .type('audio/wav')
          .header('Content-Length', String(size))
          .header('Content-Disposition', `inline; filename="${call_id}.wav"`)
          .send(createReadStream(recording.path));
      },
    );
  };
}
