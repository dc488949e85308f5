/**
 * The reference graph of a synthesized stack, as Terraform builds it: one node per resource, data
 * source and local; an edge for every `${type.name…}`, `${data.type.name…}` or `${local.name}`
 * reference in a block's arguments and for every `depends_on` entry. Terraform refuses to plan a
 * configuration whose graph has a cycle ("Error: Cycle: …"), so tests check every stack for one
 * instead of waiting for a plan.
 */

/** A node address: `type.name`, `data.type.name` or `local.name`. */
export type Address = string;

/** The graph: each node's references to other nodes of the same stack. */
export type ReferenceGraph = ReadonlyMap<Address, ReadonlySet<Address>>;

/** Builds the reference graph of a synthesized stack (the parsed `cdk.tf.json`). */
export function referenceGraph(stack: Record<string, any>): ReferenceGraph {
  const bodies = new Map<Address, unknown>();
  for (const [type, blocks] of Object.entries<Record<string, unknown>>(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(blocks)) bodies.set(`${type}.${name}`, body);
  }
  for (const [type, blocks] of Object.entries<Record<string, unknown>>(stack.data ?? {})) {
    for (const [name, body] of Object.entries(blocks)) bodies.set(`data.${type}.${name}`, body);
  }
  for (const [name, value] of Object.entries<unknown>(stack.locals ?? {})) bodies.set(`local.${name}`, value);

  const graph = new Map<Address, Set<Address>>();
  for (const [address, body] of bodies) {
    const edges = new Set<Address>();
    collect(body, [], (text, path) => {
      // depends_on entries are bare addresses; everything else refers from inside `${…}`.
      const expressions = path[0] === "depends_on" ? [text] : [...text.matchAll(/\$\{([\s\S]*?)\}/g)].map((m) => m[1] ?? "");
      for (const expression of expressions) {
        for (const target of referencesIn(expression)) if (bodies.has(target)) edges.add(target);
      }
    });
    graph.set(address, edges);
  }
  return graph;
}

/**
 * Every cycle of the graph's strongly connected components, each as the addresses on it in sorted
 * order (a self-reference is a cycle of one). Empty when Terraform can order the stack.
 */
export function referenceCycles(stack: Record<string, any>): Address[][] {
  const graph = referenceGraph(stack);
  // Tarjan's strongly connected components (recursive: test stacks are small).
  let counter = 0;
  const index = new Map<Address, number>();
  const low = new Map<Address, number>();
  const onStack = new Set<Address>();
  const stackOrder: Address[] = [];
  const cycles: Address[][] = [];
  const visit = (v: Address): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stackOrder.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: Address[] = [];
      let w: Address;
      do {
        w = stackOrder.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** Candidate addresses referenced in one expression: `type.name`, `data.type.name`, `local.name`. */
function referencesIn(expression: string): Address[] {
  const out: Address[] = [];
  for (const m of expression.matchAll(/(?<![\w.-])(data\.)?([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)/g)) {
    out.push(`${m[1] ?? ""}${m[2]}.${m[3]}`);
  }
  return out;
}

/** Calls `visit` with every string in `value` and the path of keys that leads to it. */
function collect(value: unknown, path: readonly string[], visit: (text: string, path: readonly string[]) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v) => collect(v, path, visit));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) collect(v, [...path, k], visit);
  }
}
