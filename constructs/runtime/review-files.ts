import * as fs from "fs";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { ConstructState, onStackSynthesis } from "../../core/cdktf-internals";

/**
 * The folder, below a stack's folder in `cdktf.out/stacks/<stack>`, where the kit writes the
 * documents it renders into a plan in unreadable form (gzip+base64 user data, JSON-encoded Helm
 * values, a Lambda's environment), so a reviewer reads them, and diffs them, as files.
 */
export const REVIEW_DIRECTORY = "review";

interface ReviewFile {
  /** Path below {@link REVIEW_DIRECTORY}: the construct's path below the stack, then the file name. */
  readonly path: string;
  readonly content: () => string;
}

/** The files each stack writes, registered by its constructs. */
const FILES = new ConstructState<TerraformStack, ReviewFile[]>("runtime.reviewFiles", "the review files a stack writes next to its configuration");

/** Construct id, under the stack, of the construct that writes the stack's review files. */
const WRITER_ID = "KitReviewFiles";

/**
 * Writes `content()` at synth to `cdktf.out/stacks/<stack>/review/<construct path below the
 * stack>/<fileName>`. `content` runs at synth, after every construct is in place. The files never
 * hold a secret's value: the kit renders secrets as references.
 */
export function addReviewFile(scope: IConstruct, fileName: string, content: () => string): void {
  const stack = TerraformStack.of(scope);
  const files = FILES.getOrCreate(stack, () => {
    const list: ReviewFile[] = [];
    // A plain construct (no resources) that carries the stack's one custom synthesis.
    const writer = stack.node.tryFindChild(WRITER_ID) ?? new Construct(stack, WRITER_ID);
    onStackSynthesis(writer, (stackDirectory) => {
      const root = path.join(stackDirectory, REVIEW_DIRECTORY);
      fs.rmSync(root, { recursive: true, force: true });
      for (const file of list) {
        const target = path.join(root, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content());
      }
    });
    return list;
  });
  const below = scope.node.path.slice(stack.node.path.length).replace(/^\/+/, "");
  files.push({ path: path.join(...below.split("/").filter(Boolean), fileName), content });
}
