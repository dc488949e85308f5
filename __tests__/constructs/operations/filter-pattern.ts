/**
 * A CloudWatch Logs filter pattern evaluator for unstructured log events, written from AWS's
 * description (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
 * "Matching terms in unstructured log events"): terms separated by spaces must all appear; a term in
 * double quotes is one exact, case-sensitive phrase; `?term` alternatives match any. JSON, space-
 * delimited and regex patterns are not supported here and throw, so a test cannot pass by accident.
 */
export function matchesFilterPattern(pattern: string, message: string): boolean {
  const p = pattern.trim();
  if (p === "") return true;
  if (/^[{[%]/.test(p)) throw new Error(`matchesFilterPattern: only term patterns are supported, got: ${pattern}`);
  const terms: { text: string; optional: boolean }[] = [];
  const re = /(\?)?(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let m = re.exec(p); m !== null; m = re.exec(p)) {
    terms.push({ text: m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] as string), optional: m[1] === "?" });
  }
  const optional = terms.filter((t) => t.optional);
  if (optional.length > 0) return optional.some((t) => message.includes(t.text));
  return terms.every((t) => message.includes(t.text));
}
