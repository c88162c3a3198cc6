/**
 * Which header pair a challenge uses: a UAS or registrar challenges with 401
 * and WWW-Authenticate, answered in Authorization; a proxy with 407 and
 * Proxy-Authenticate, answered in Proxy-Authorization (RFC 3261 §22.2, §22.3).
 */
export interface AuthHeaderNames {
  status: 401 | 407;
  reason: string;
  challenge: 'WWW-Authenticate' | 'Proxy-Authenticate';
  credentials: 'Authorization' | 'Proxy-Authorization';
}

export const USER_AGENT_AUTH: AuthHeaderNames = {
  status: 401,
  reason: 'Unauthorized',
  challenge: 'WWW-Authenticate',
  credentials: 'Authorization',
};

export const PROXY_AUTH: AuthHeaderNames = {
  status: 407,
  reason: 'Proxy Authentication Required',
  challenge: 'Proxy-Authenticate',
  credentials: 'Proxy-Authorization',
};

/** The header pair for a challenge response status; undefined for any other status. */
export function namesForStatus(status: number): AuthHeaderNames | undefined {
  if (status === 401) return USER_AGENT_AUTH;
  if (status === 407) return PROXY_AUTH;
  return undefined;
}
