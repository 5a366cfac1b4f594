// A numeric option of a bench script (`--name N`), read from the command line: a whole number of at least 1, else
// the script says what it expected and exits 2.

export function wholeNumberOption(name: string, fallback: number, script: string): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${script}: ${name} takes a whole number of at least 1, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return value;
}
