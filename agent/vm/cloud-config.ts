import { toYaml, YamlValue } from "./yaml";

/** A file cloud-init writes (`write_files`). */
export interface CloudConfigFile {
  /** Absolute path on the VM. */
  readonly path: string;
  /** File content (text). */
  readonly content: string;
  /** Octal mode as a string, e.g. `"0600"` (cloud-init's schema wants a string). */
  readonly permissions: string;
  /** `user:group`. @default "root:root" */
  readonly owner?: string;
  /** Append to an existing file instead of replacing it. @default false */
  readonly append?: boolean;
}

/** A command for `runcmd`/`bootcmd`: an argv list (no shell), or a line run by `sh -c`. */
export type CloudConfigCommand = readonly string[] | string;

/** A yum/dnf repository (`yum_repos`). */
export interface CloudConfigYumRepo {
  /** Human-readable repository name. */
  readonly name: string;
  /** Base URL; `$releasever`/`$basearch` are expanded by dnf. */
  readonly baseurl: string;
  /** Whether the repository is enabled. */
  readonly enabled: boolean;
  /** Verify package signatures. */
  readonly gpgcheck: boolean;
  /** URL of the signing key. */
  readonly gpgkey: string;
}

/** What a {@link CloudConfig} holds. Every field is optional; empty fields are left out of the document. */
export interface CloudConfigProps {
  /** A comment written under `#cloud-config` (one or more lines). @default - none */
  readonly comment?: string;
  /** Refresh the package index before installing. @default false */
  readonly packageUpdate?: boolean;
  /** Upgrade installed packages. @default false */
  readonly packageUpgrade?: boolean;
  /** yum/dnf repositories added before packages are installed. @default {} */
  readonly yumRepos?: Readonly<Record<string, CloudConfigYumRepo>>;
  /** apt proxy settings (`apt.http_proxy`/`apt.https_proxy`). @default - none */
  readonly aptProxy?: { readonly http?: string; readonly https?: string };
  /** Packages installed by the OS package manager. @default [] */
  readonly packages?: readonly string[];
  /** Files written early at first boot, before packages are installed. @default [] */
  readonly writeFiles?: readonly CloudConfigFile[];
  /** Commands run early on every boot. @default [] */
  readonly bootcmd?: readonly CloudConfigCommand[];
  /** Commands run once, at the end of the first boot (after packages). @default [] */
  readonly runcmd?: readonly CloudConfigCommand[];
}

const ABSOLUTE_PATH = /^\/[^\s\0]+$/;
const MODE = /^0[0-7]{3}$/;
const OWNER = /^[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*$/;
const REPO_ID = /^[A-Za-z0-9_.-]+$/;
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/;

/**
 * A `#cloud-config` document as a value object: built from typed parts, rendered by
 * {@link CloudConfig.render}, never assembled by string concatenation. Users, SSH keys and every
 * other cloud-init key are left untouched, so the image's defaults (and SSM) keep working.
 *
 * Keys are rendered in cloud-init's execution order so the document reads top to bottom the way
 * the VM runs it: bootcmd and write_files (init stage), repositories, packages, runcmd (final stage).
 */
export class CloudConfig {
  /** The parts, as given. */
  public readonly props: CloudConfigProps;

  public constructor(props: CloudConfigProps) {
    for (const f of props.writeFiles ?? []) {
      if (!ABSOLUTE_PATH.test(f.path)) throw new Error(`CloudConfig: write_files path must be absolute without whitespace, got: ${JSON.stringify(f.path)}`);
      if (!MODE.test(f.permissions)) throw new Error(`CloudConfig: permissions of ${f.path} must be an octal string such as "0600", got: ${JSON.stringify(f.permissions)}`);
      if (f.owner !== undefined && !OWNER.test(f.owner)) throw new Error(`CloudConfig: owner of ${f.path} must be user:group, got: ${JSON.stringify(f.owner)}`);
    }
    const paths = (props.writeFiles ?? []).filter((f) => !f.append).map((f) => f.path);
    const dup = paths.find((p, i) => paths.indexOf(p) !== i);
    if (dup) throw new Error(`CloudConfig: ${dup} is written twice`);
    for (const id of Object.keys(props.yumRepos ?? {})) {
      if (!REPO_ID.test(id)) throw new Error(`CloudConfig: yum repository id must be letters, digits, '.', '_' or '-', got: ${JSON.stringify(id)}`);
    }
    for (const p of props.packages ?? []) {
      if (!PACKAGE.test(p)) throw new Error(`CloudConfig: package name is invalid: ${JSON.stringify(p)}`);
    }
    this.props = props;
  }

  /** The document as a plain object (the structure cloud-init reads), with empty parts left out. */
  public toObject(): Record<string, YamlValue> {
    const p = this.props;
    const doc: Record<string, YamlValue> = {};
    if (p.bootcmd?.length) doc.bootcmd = p.bootcmd;
    if (p.writeFiles?.length) {
      doc.write_files = p.writeFiles.map((f) => ({
        path: f.path,
        owner: f.owner ?? "root:root",
        permissions: f.permissions,
        ...(f.append ? { append: true } : {}),
        content: f.content,
      }));
    }
    if (p.aptProxy && (p.aptProxy.http || p.aptProxy.https)) {
      doc.apt = { http_proxy: p.aptProxy.http, https_proxy: p.aptProxy.https };
    }
    if (p.yumRepos && Object.keys(p.yumRepos).length > 0) {
      doc.yum_repos = Object.fromEntries(Object.entries(p.yumRepos).map(([id, r]) => [id, { ...r }]));
    }
    if (p.packageUpdate) doc.package_update = true;
    if (p.packageUpgrade !== undefined) doc.package_upgrade = p.packageUpgrade;
    if (p.packages?.length) doc.packages = p.packages;
    if (p.runcmd?.length) doc.runcmd = p.runcmd;
    return doc;
  }

  /** The document: `#cloud-config`, the comment, then YAML. Deterministic: same props, same bytes. */
  public render(): string {
    const comment = this.props.comment
      ? this.props.comment
          .split("\n")
          .map((l) => (l ? `# ${l}` : "#"))
          .join("\n") + "\n"
      : "";
    return `#cloud-config\n${comment}${toYaml(this.toObject())}`;
  }
}
