/** A command line for `ExecStart=` and friends, rendered with systemd's quoting rules. */
export class SystemdCommand {
  /**
   * A long command rendered one group per line (with `\` continuations), e.g. one `docker run`
   * option and its value per line, so golden-file diffs show which option changed.
   */
  public static lines(groups: readonly (readonly string[])[], options: { readonly ignoreFailure?: boolean } = {}): SystemdCommand {
    return new SystemdCommand(groups.flat(), options, groups.map((g) => g.length));
  }

  /** Words per rendered line (one line when unset). */
  private readonly groupSizes?: readonly number[];

  /**
   * @param argv the program (an absolute path) and its arguments, one element each
   * @param options `ignoreFailure` prefixes `-` (a failing command does not fail the unit)
   */
  public constructor(
    public readonly argv: readonly string[],
    public readonly options: { readonly ignoreFailure?: boolean } = {},
    groupSizes?: readonly number[],
  ) {
    const [program] = argv;
    if (program === undefined || !program.startsWith("/")) throw new Error(`SystemdCommand: the program must be an absolute path, got: ${JSON.stringify(program)}`);
    for (const arg of argv) {
      if (/[\n\r\0]/.test(arg)) throw new Error(`SystemdCommand: arguments must be single-line, got: ${JSON.stringify(arg)}`);
    }
    this.groupSizes = groupSizes;
  }

  /**
   * Renders the command. `%` and `$` are escaped (`%%`, `$$`): the kit relies on no specifier or
   * variable expansion except the ones listed in `keepSpecifiers` (an argument equal to `%H`).
   */
  public render(options: { readonly keepSpecifiers?: readonly string[] } = {}): string {
    const keep = new Set(options.keepSpecifiers ?? []);
    const words = this.argv.map((a) => (keep.has(a) ? a : quoteSystemdArg(a)));
    const lines: string[] = [];
    let i = 0;
    for (const size of this.groupSizes ?? [words.length]) {
      lines.push(words.slice(i, i + size).join(" "));
      i += size;
    }
    const prefix = this.options.ignoreFailure ? "-" : "";
    return prefix + lines.join(" \\\n    ");
  }
}

/** Quotes one argument for an `Exec*=` line. */
export function quoteSystemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One `Environment=` assignment, quoted for systemd (`%` escaped: specifiers expand there). */
export function systemdEnvironment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`systemdEnvironment: invalid variable name ${JSON.stringify(name)}`);
  if (/[\n\r\0]/.test(value)) throw new Error(`systemdEnvironment: ${name} must be single-line`);
  const escaped = `${name}=${value}`.replace(/%/g, "%%").replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return `"${escaped}"`;
}

/** A value of a unit file entry. */
export type SystemdValue = string | number | boolean | SystemdCommand;

/** Entries of one section, in order; a key may repeat (`Environment=`, `ExecStartPre=`). */
export type SystemdEntries = readonly (readonly [key: string, value: SystemdValue])[];

/** The sections a unit or drop-in holds, rendered in this order. */
export interface SystemdSections {
  /** `[Unit]`. @default - none */
  readonly unit?: SystemdEntries;
  /** `[Service]`. @default - none */
  readonly service?: SystemdEntries;
  /** `[Install]`. @default - none */
  readonly install?: SystemdEntries;
}

const KEY = /^[A-Z][A-Za-z0-9]*$/;
const UNIT_PATH = /^\/etc\/systemd\/system\/[A-Za-z0-9@._-]+\.(service|socket|timer|target)(\.d\/[A-Za-z0-9._-]+\.conf)?$/;

/**
 * A systemd unit file or drop-in as a value object. `path` says which: a unit
 * (`/etc/systemd/system/scalr-agent.service`) or a drop-in
 * (`/etc/systemd/system/docker.service.d/proxy.conf`). Rendered by {@link SystemdUnit.render}.
 */
export class SystemdUnit {
  public constructor(
    /** Where the file goes on the VM. */
    public readonly path: string,
    /** The sections. */
    public readonly sections: SystemdSections,
    /** A comment at the top of the file (why it exists). @default - none */
    public readonly comment?: string,
  ) {
    if (!UNIT_PATH.test(path)) throw new Error(`SystemdUnit: path must be a unit or drop-in under /etc/systemd/system, got: ${JSON.stringify(path)}`);
    for (const entries of [sections.unit, sections.service, sections.install]) {
      for (const [key, value] of entries ?? []) {
        if (!KEY.test(key)) throw new Error(`SystemdUnit ${path}: invalid key ${JSON.stringify(key)}`);
        if (typeof value === "string" && /[\n\r]/.test(value)) throw new Error(`SystemdUnit ${path}: ${key} must be single-line`);
      }
    }
    if (this.isDropIn && sections.install) throw new Error(`SystemdUnit ${path}: a drop-in must not have an [Install] section`);
  }

  /** True for a drop-in (`<unit>.d/<name>.conf`). */
  public get isDropIn(): boolean {
    return this.path.endsWith(".conf");
  }

  /** The unit this file belongs to, e.g. `docker.service` for `/etc/systemd/system/docker.service.d/proxy.conf`. */
  public get unitName(): string {
    const rel = this.path.slice("/etc/systemd/system/".length);
    return this.isDropIn ? rel.slice(0, rel.indexOf(".d/")) : rel;
  }

  /** The file content. */
  public render(): string {
    const out: string[] = [];
    if (this.comment) out.push(...this.comment.split("\n").map((l) => (l ? `# ${l}` : "#")));
    for (const [title, entries] of [
      ["Unit", this.sections.unit],
      ["Service", this.sections.service],
      ["Install", this.sections.install],
    ] as const) {
      if (!entries || entries.length === 0) continue;
      if (out.length > 0) out.push("");
      out.push(`[${title}]`);
      for (const [key, value] of entries) out.push(`${key}=${renderValue(value)}`);
    }
    return `${out.join("\n")}\n`;
  }
}

function renderValue(value: SystemdValue): string {
  if (value instanceof SystemdCommand) return value.render({ keepSpecifiers: ["%H"] });
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}
