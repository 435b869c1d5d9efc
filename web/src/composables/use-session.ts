/** The session: who is logged in, logging in and out. Expected failures come back as codes. */
import { CombinedError } from '@urql/core';
import { resetClient, urqlClient } from '../graphql/client';
import { LoginMutation, LogoutMutation, MeQuery } from '../graphql/operations';

export type LoginFailure =
  | { code: 'INVALID_CREDENTIALS' }
  | { code: 'LOGIN_THROTTLED'; retryAfterSeconds: number }
  | { code: 'INVALID_INPUT' }
  | { code: 'NETWORK' };

function unauthenticated(error: CombinedError | undefined): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/** True when a session cookie is valid; false when the server says UNAUTHENTICATED. */
export async function isLoggedIn(): Promise<boolean> {
  const result = await urqlClient.value.query(MeQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (unauthenticated(result.error)) return false;
  if (result.error) throw result.error;
  return !!result.data?.me;
}

export async function login(username: string, password: string): Promise<LoginFailure | null> {
  const result = await urqlClient.value.mutation(LoginMutation, { username, password }).toPromise();
  const outcome = result.data?.login;
  if (!outcome) return { code: 'NETWORK' };
  switch (outcome.__typename) {
    case 'LoginSuccess':
      resetClient();
      return null;
    case 'LoginThrottledError':
      return { code: 'LOGIN_THROTTLED', retryAfterSeconds: outcome.retryAfterSeconds };
    case 'InvalidInputError':
      return { code: 'INVALID_INPUT' };
    default:
      return { code: 'INVALID_CREDENTIALS' };
  }
}

export async function logout(): Promise<void> {
  await urqlClient.value.mutation(LogoutMutation, {}).toPromise();
  resetClient();
}
