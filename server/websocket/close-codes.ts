// WebSocket close status codes (RFC 6455 7.4): which may arrive in a Close frame, which may be sent.
// 1005, 1006 and 1015 are reserved for reporting and never appear on the wire (7.4.1).

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** Reported when a Close frame carried no status code (7.1.5); never sent. */
export const CLOSE_NO_STATUS = 1005;
/** Reported when the connection closed without a Close frame (7.1.5); never sent. */
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_INVALID_PAYLOAD = 1007;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_MANDATORY_EXTENSION = 1010;
export const CLOSE_INTERNAL_ERROR = 1011;

/** The codes a Close frame may carry (7.4.1, 7.4.2): 1000-1003, 1007-1011, 3000-4999. */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1011) return true;
  return code >= 3000 && code <= 4999;
}

/** The longest close reason, in UTF-8 bytes: a control frame's 125 bytes less the 2-byte code (5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;
