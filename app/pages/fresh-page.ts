// A page kept as encoded bytes while the database is unchanged: rendering the jobs table (a 50-row query,
// escaping, UTF-8 encoding) costs ten times more than asking SQLite whether anything changed since.

export class FreshPage {
  private token: string | null = null;
  private body: Buffer | null = null;

  /**
   * The page for the database state `token` (from repos.changes.token(), read before the data), rendered by
   * `render` when the state moved since the last render. Pairs stay honest under concurrency: a render reads
   * data at least as new as its token, so a later token never finds older data.
   */
  async get(token: string, render: () => Promise<string>): Promise<Buffer> {
    if (this.body !== null && this.token === token) return this.body;
    const body = Buffer.from(await render());
    this.token = token;
    this.body = body;
    return body;
  }
}
