/**
 * Props objects whose warnings a builder has already given at a better place (internal): the vending
 * machine warns at the spec path and line, so the construct it builds from that entry does not
 * repeat the warning at its construct path.
 */
const reported = new WeakSet<object>();

/** Marks `props` (an object a builder hands to a construct) as warned about already. */
export function markWarned(props: object): void {
  reported.add(props);
}

/** True when a builder has warned about `props` already. */
export function isWarned(props: unknown): boolean {
  return typeof props === "object" && props !== null && reported.has(props);
}
