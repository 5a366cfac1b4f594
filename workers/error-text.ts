// The text of a thrown value, for job errors, IPC messages and log lines.

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
