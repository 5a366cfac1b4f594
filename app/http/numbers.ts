// Whole numbers for people, with thousands separators: 1,000,000. The same text as toLocaleString('en-US')
// for integers, without a trip through ICU on every table row (it was a tenth of the job table's render time).

export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.length % 3 === 0 ? '' : digits.slice(0, digits.length % 3);
  for (let i = digits.length % 3; i < digits.length; i += 3) out += (out === '' ? '' : ',') + digits.slice(i, i + 3);
  return n < 0 ? `-${out}` : out;
}
