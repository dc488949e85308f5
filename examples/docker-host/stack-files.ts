import * as fs from "fs";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { onStackSynthesis } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { strictProps } from "../../core/validation";

/** One file a {@link StackFiles} writes. */
export interface StackFile {
  /** The file's text, written as UTF-8. */
  readonly content: string;
  /** File mode. @default 0o644 */
  readonly mode?: number;
}

/** Props of {@link StackFiles}. */
export interface StackFilesProps {
  /**
   * The folder below the stack's folder (`cdktf.out/stacks/<stack>/<directory>`): one or more
   * segments of letters, digits, '.', '_' and '-' separated by '/'. Not a folder cdktf or the kit
   * writes itself (`assets`, `review`, `.terraform`).
   */
  readonly directory: string;
  /** The files, by name: letters, digits, '.', '_' and '-'. */
  readonly files: Readonly<Record<string, StackFile>>;
}

/** A path segment; "." and ".." are refused separately. */
const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;
const isSegment = (s: string) => SEGMENT.test(s) && s !== "." && s !== "..";

/**
 * Folders below `cdktf.out/stacks/<stack>` that belong to others: cdktf's assets, the kit's review
 * files (constructs/runtime/review-files.ts), and Terraform's working data after `terraform init`.
 */
const RESERVED_DIRECTORIES: readonly string[] = ["assets", "review", ".terraform"];

const propsSchema = strictProps({
  directory: z
    .string()
    .refine((d) => d.split("/").every(isSegment), { error: "must be a relative folder: segments of letters, digits, '.', '_' and '-' separated by '/' (no '..', no leading '/')" })
    .refine((d) => !RESERVED_DIRECTORIES.includes(d.split("/")[0] as string) && !d.startsWith("cdk.tf"), {
      error: `must not be a folder cdktf, Terraform or the kit writes (${RESERVED_DIRECTORIES.join(", ")}, cdk.tf*)`,
    }),
  files: z
    .record(
      z.string(),
      strictProps({
        content: z.string(),
        mode: z.number().int().min(0).max(0o777).optional(),
      }),
    )
    .superRefine((files, ctx) => {
      if (Object.keys(files).length === 0) ctx.addIssue({ code: "custom", message: "must name at least one file", input: files });
      for (const name of Object.keys(files)) {
        if (!isSegment(name)) ctx.addIssue({ code: "custom", path: [name], message: "must be a file name of letters, digits, '.', '_' and '-' (the key names the file)", input: name });
      }
    }),
}) satisfies z.ZodType<StackFilesProps>;

/**
 * Writes literal files next to a stack's configuration at synth, to
 * `cdktf.out/stacks/<stack>/<directory>/<name>`: files for machines Terraform does not manage
 * (a Compose file for a Docker host, a Dockerfile), which `cdktf synth` then produces with the
 * rest of the app. The folder is emptied first, so a file removed from the props disappears and
 * the output depends on the props alone. Each stack's folder is written by one construct.
 *
 * The files are written as given: never pass a secret's value (a token goes in a file on the
 * target machine, and these files name that file).
 */
export class StackFiles extends Construct {
  /** The folder below the stack's folder. */
  public readonly directory: string;
  /** The files, by name. */
  public readonly files: Readonly<Record<string, StackFile>>;

  public constructor(scope: Construct, id: string, props: StackFilesProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props) as StackFilesProps | undefined;
    const stack = TerraformStack.of(this);
    if (p && !issues.has("directory")) {
      const other = stack.node.findAll().find((c): c is StackFiles => c instanceof StackFiles && c !== this && c.directory !== undefined && overlaps(c.directory, p.directory));
      if (other) issues.add("directory", `must not overlap the folder of ${other.node.path} (${JSON.stringify(other.directory)}): each folder is emptied by the construct that writes it`, p.directory);
    }
    issues.throwIfAny();
    this.directory = (p as StackFilesProps).directory;
    this.files = (p as StackFilesProps).files;

    onStackSynthesis(this, (stackDirectory) => {
      const root = path.join(stackDirectory, ...this.directory.split("/"));
      fs.rmSync(root, { recursive: true, force: true });
      fs.mkdirSync(root, { recursive: true });
      for (const name of Object.keys(this.files).sort()) {
        const file = this.files[name] as StackFile;
        const target = path.join(root, name);
        fs.writeFileSync(target, file.content);
        // Exact, whatever the umask.
        fs.chmodSync(target, file.mode ?? 0o644);
      }
    });
  }
}

/** Whether one folder is the other or inside it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
