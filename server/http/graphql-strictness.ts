/**
 * Yoga plugins that keep the API from describing itself to strangers: introspection needs a
 * credential, and no error suggests a name ("Did you mean …?" would list fields, types, arguments
 * and enum values to anyone probing). Both run in the envelop's execute and validate, which the
 * WebSocket transport shares, so they hold over HTTP, SSE and WebSocket alike.
 */
import { GraphQLError, type ExecutionResult, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.js';

/** Whether the document asks for `__schema` or `__type` anywhere (fragments included). */
export function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

export const introspectionNeedsCredential: Plugin<Context> = {
  onExecute({ args, setResultAndStopExecution }) {
    if ((args.contextValue as Context).principal || !asksForIntrospection(args.document)) return;
    setResultAndStopExecution({
      errors: [new GraphQLError('Log in or present an API token to read the schema.', { extensions: { code: 'UNAUTHENTICATED' } })],
    });
  },
};

/** graphql-js appends its suggestions to the message: " Did you mean "x", "y", or "z"?". */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [\s\S]*\?$/, '');
}

function stripped<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  const message = withoutSuggestions(error.message);
  if (message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: error.extensions,
  });
}

/** Rewrites the errors of a single result; a stream of results carries no request errors. */
function strippedResult(result: unknown, setResult: (r: ExecutionResult) => void): void {
  const single = result as ExecutionResult;
  if (single.errors?.length) setResult({ ...single, errors: single.errors.map((e) => stripped(e) as GraphQLError) });
}

export const noSuggestions: Plugin<Context> = {
  onValidate() {
    return ({ result, setResult }) => {
      if (result.length) setResult(result.map((e) => stripped(e)));
    };
  },
  onExecute() {
    return { onExecuteDone: ({ result, setResult }) => strippedResult(result, setResult) };
  },
  onSubscribe() {
    return { onSubscribeResult: ({ result, setResult }) => strippedResult(result, setResult as never) };
  },
};
