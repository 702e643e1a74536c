import { Router as ExpressRouter, type Request, type Response } from 'express';
import type { z } from 'zod';
import { jsonBody, parse } from './validation.js';
import { inSpan, inSpanSync } from '../tracing/tracing.js';

export type Method = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  /** The body; none for 204. */
  schema?: z.ZodType;
  /** The body's media type when it is not JSON (an SSE stream, Prometheus text). */
  mediaType?: string;
}

/** Path parameters of an Express path: plain segments, so always strings. */
export type PathParams = z.ZodType<Record<string, string>>;

export interface OperationSpec<Q extends z.ZodType, B extends z.ZodType, P extends PathParams> {
  method: Method;
  /** Express path, e.g. `/users/:id`. */
  path: string;
  summary: string;
  tag: string;
  description?: string;
  /** The `:params` as a zod object; without it every `:param` is a UUID (the messenger's ids, which its services check). */
  params?: P;
  query?: Q;
  body?: B;
  /** A request without a body counts as `{}`: for actions whose every field is optional. */
  bodyOptional?: boolean;
  /** How validation errors name the body ("Invalid user: …"). */
  bodyName?: string;
  /** Success and the errors specific to this operation; 400, 415 and 503 are added where they apply. */
  responses: Record<number, ResponseSpec>;
}

export type Operation = OperationSpec<z.ZodType, z.ZodType, PathParams>;

export interface Input<Q extends z.ZodType, B extends z.ZodType, P extends PathParams> {
  req: Request;
  res: Response;
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

/**
 * An Express router whose routes carry their own contract: the zod schemas declared here are the ones that
 * validate each request, and the same declarations are what GET /api/openapi.json is generated from, so the
 * document cannot drift from what the server checks.
 */
export class ApiRouter {
  readonly router = ExpressRouter();
  readonly operations: Operation[] = [];

  add<Q extends z.ZodType = z.ZodNever, B extends z.ZodType = z.ZodNever, P extends PathParams = PathParams>(
    spec: OperationSpec<Q, B, P>,
    handler: (input: Input<Q, B, P>) => Promise<void> | void,
  ): void {
    this.operations.push(spec as unknown as Operation);
    this.router[spec.method](spec.path, async (req, res) => {
      const { params, query, body } = inSpanSync('validate (zod)', () => ({
        params: (spec.params ? parse(spec.params, req.params, 'path') : req.params) as z.infer<P>,
        query: spec.query ? parse(spec.query, req.query, 'query') : (undefined as z.infer<Q>),
        body: spec.body ? parse(spec.body, spec.bodyOptional && req.body === undefined ? {} : jsonBody(req), spec.bodyName) : (undefined as z.infer<B>),
      }));
      await inSpan(`handler ${spec.method.toUpperCase()} ${spec.path}`, { 'http.route': spec.path }, async () => handler({ req, res, params, query, body }));
    });
  }
}
