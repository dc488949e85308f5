import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { strictProps } from "../../core/validation";
import { Tag as ScalrTag } from "../../providers/scalr/generated/providers/scalr/tag";
import { tagFields } from "./field-rules";
import type { ITag } from "./interfaces";
import { brand } from "./references";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";

/** Props of {@link Tag}. */
export interface TagProps {
  /** Tag name, unique in the Scalr account. */
  readonly name: string;
}

const propsSchema = strictProps(tagFields) satisfies z.ZodType<TagProps>;

/**
 * A Scalr tag (account-scoped). Environments, workspaces and provider configurations take `Tag`
 * constructs or tag IDs in their `tags`.
 *
 * @example
 * const team = new Tag(this, "TeamPayments", { name: "team:payments" });
 * new Environment(this, "Prod", { name: "prod", tags: [team] });
 */
export class Tag extends Construct implements ITag {
  /** The `scalr_tag` resource (escape hatch). */
  public readonly resource: ScalrTag;
  /** The tag ID (`tag-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly tagId: string;
  /** The tag name. */
  public readonly tagName: string;

  public constructor(scope: Construct, id: string, props: TagProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.throwIfAny();
    brand(this, "tag");
    ensureSensitiveOutputCheck(this);
    this.tagName = p.name;
    this.resource = new ScalrTag(this, "Resource", { name: terraformLiteral(p.name) });
    this.tagId = this.resource.id;
  }

}
