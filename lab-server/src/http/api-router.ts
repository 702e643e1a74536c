import { Router as ExpressRouter, type Request, type Response } from 'express';
import type { z } from 'zod';
import { jsonBody, parse } from './validation.js';

export type Method = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  /** The JSON body; none for 204. */
  schema?: z.ZodType;
}

export interface OperationSpec<Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Express path, e.g. `/users/:id`; every `:param` is a UUID. */
  path: string;
  summary: string;
  tag: string;
  description?: string;
  query?: Q;
  body?: B;
  /** How validation errors name the body ("Invalid user: …"). */
  bodyName?: string;
  /** Success and the errors specific to this operation; 400, 415 and 503 are added where they apply. */
  responses: Record<number, ResponseSpec>;
}

export type Operation = OperationSpec<z.ZodType, z.ZodType>;

export interface Input<Q extends z.ZodType, B extends z.ZodType> {
  req: Request;
  res: Response;
  /** The path's `:params` (plain segments: no wildcards, so never arrays). */
  params: Record<string, string>;
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

  add<Q extends z.ZodType = z.ZodNever, B extends z.ZodType = z.ZodNever>(
    spec: OperationSpec<Q, B>,
    handler: (input: Input<Q, B>) => Promise<void> | void,
  ): void {
    this.operations.push(spec as unknown as Operation);
    this.router[spec.method](spec.path, async (req, res) => {
      const query = spec.query ? parse(spec.query, req.query, 'query') : (undefined as z.infer<Q>);
      const body = spec.body ? parse(spec.body, jsonBody(req), spec.bodyName) : (undefined as z.infer<B>);
      await handler({ req, res, params: req.params as Record<string, string>, query, body });
    });
  }
}
