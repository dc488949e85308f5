import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Lazy, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Environment } from "../../../constructs/scalr/environment";
import { ResolvedTerraformRc, hclString, renderTerraformRc, terraformRcSchema } from "../../../constructs/scalr/run-options";
import { Variable } from "../../../constructs/scalr/variable";
import { Workspace, WorkspaceProps } from "../../../constructs/scalr/workspace";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { warningsOf } from "../../support/annotations";
import { testWithTools } from "../../support/system-tool";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

/** The scalr_variable resources of a synthesized stack, by key. */
function variablesByKey(json: any): Record<string, any> {
  return Object.fromEntries(Object.values<any>(json.resource?.scalr_variable ?? {}).map((v) => [v.key, v]));
}

/** A test that runs Terraform's own CLI (fails in CI when it is missing, skips elsewhere). */
const tfTest = (title: string, fn: jest.ProvidesCallback, timeout?: number) => testWithTools(title, [["terraform", ["version"]]], fn, timeout);

/**
 * Runs Terraform's own CLI configuration loader on `text` (`terraform version` loads the file named
 * by TF_CLI_CONFIG_FILE and prints every problem it finds to stderr) and returns those problems.
 */
function cliConfigProblems(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-tfrc-"));
  try {
    const file = path.join(dir, "terraformrc");
    fs.writeFileSync(file, text);
    const r = spawnSync("terraform", ["version"], { cwd: dir, encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: file, CHECKPOINT_DISABLE: "1" } });
    return r.stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Evaluates the synthesized value of a Scalr variable the way Terraform does at apply time (the
 * value is a template: literal text, `$${` escapes and references), in a configuration of just the
 * Terraform variables it reads and one output, and returns the text Scalr would receive.
 */
function evaluateTemplate(template: string, vars: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-tfeval-"));
  try {
    const config = {
      variable: Object.fromEntries(Object.keys(vars).map((k) => [k, { type: "string" }])),
      output: { text: { value: template } },
    };
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    execFileSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, stdio: "pipe" });
    const args = Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    execFileSync("terraform", ["apply", "-auto-approve", "-input=false", "-no-color", ...args], { cwd: dir, env, stdio: "pipe" });
    return execFileSync("terraform", ["output", "-raw", "text"], { cwd: dir, env, encoding: "utf8" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rc = (input: unknown): ResolvedTerraformRc => terraformRcSchema.parse(input);

describe("Workspace and Environment run options", () => {
  test("oidc on a workspace: SCALR_OIDC_AUD and SCALR_OIDC_EXP, shell, not sensitive, workspace scope", () => {
    const stack = newStack();
    const ws = new Workspace(stack, "Ws", { name: "vault", environment: "env-abc123", runTimeoutMinutes: 30, oidc: { audience: "https://vault.example.com", expirySeconds: 1800 } });
    const json = JSON.parse(Testing.synth(stack));
    const vars = variablesByKey(json);
    expect(vars.SCALR_OIDC_AUD).toMatchObject({ category: "shell", value: "https://vault.example.com", sensitive: false, final: false, hcl: false, workspace_id: expect.stringMatching(/^\$\{scalr_workspace\.Ws_[0-9A-F]+\.id\}$/) });
    expect(vars.SCALR_OIDC_EXP).toMatchObject({ category: "shell", value: "1800", sensitive: false });
    expect(vars.SCALR_OIDC_EXP).not.toHaveProperty("environment_id");
    expect(ws.runOptionVariables.get("SCALR_OIDC_AUD")?.node.id).toBe("Variable-shell-SCALR_OIDC_AUD");
    expect(ws.runOptionVariables.get("SCALR_OIDC_EXP")?.node.id).toBe("Variable-shell-SCALR_OIDC_EXP");
    expect(vars.SCALR_TERRAFORM_RC).toBeUndefined();
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("oidc on an environment: environment scope, final when asked", () => {
    const stack = newStack();
    const env = new Environment(stack, "Env", { name: "prod", oidc: { audience: "vault", final: true } });
    const vars = variablesByKey(JSON.parse(Testing.synth(stack)));
    expect(vars.SCALR_OIDC_AUD).toMatchObject({ category: "shell", value: "vault", final: true, sensitive: false, environment_id: expect.stringMatching(/^\$\{scalr_environment\.Env_[0-9A-F]+\.id\}$/) });
    expect(vars.SCALR_OIDC_AUD).not.toHaveProperty("workspace_id");
    expect(vars.SCALR_OIDC_EXP).toBeUndefined();
    expect(env.runOptionVariables.get("SCALR_OIDC_AUD")?.node.path).toBe("stack/Env/Variable-shell-SCALR_OIDC_AUD");
  });

  test("the same construct id as an untyped variable of the key: moving to the typed option keeps the address", () => {
    const untyped = newStack();
    new Workspace(untyped, "Ws", { name: "w", environment: "env-abc123", variables: [{ key: "SCALR_OIDC_AUD", value: "vault", category: "shell" }] });
    const typed = newStack();
    new Workspace(typed, "Ws", { name: "w", environment: "env-abc123", oidc: { audience: "vault" } });
    const addresses = (s: TerraformStack) => Object.keys(JSON.parse(Testing.synth(s)).resource.scalr_variable);
    expect(addresses(typed)).toEqual(addresses(untyped));
  });

  test("terraformRc from typed fields: a shell variable, not sensitive without credentials, rendered in CLI configuration syntax", () => {
    const stack = newStack();
    new Workspace(stack, "Ws", {
      name: "w",
      environment: "env-abc123",
      terraformRc: {
        pluginCacheDir: "$HOME/.terraform.d/plugin-cache",
        providerInstallation: [
          { method: "network_mirror", url: "https://mirror.example.com/providers/", include: ["registry.terraform.io/hashicorp/*"] },
          { method: "filesystem_mirror", path: "/opt/providers", include: ["example.com/*/*"] },
          { method: "direct", exclude: ["registry.terraform.io/hashicorp/*", "example.com/*/*"] },
        ],
      },
    });
    const v = variablesByKey(JSON.parse(Testing.synth(stack))).SCALR_TERRAFORM_RC;
    expect(v).toMatchObject({ category: "shell", sensitive: false, final: false, hcl: false });
    expect(v.value).toBe(
      [
        'plugin_cache_dir = "\\u0024HOME/.terraform.d/plugin-cache"',
        "",
        "provider_installation {",
        "  network_mirror {",
        '    url = "https://mirror.example.com/providers/"',
        '    include = ["registry.terraform.io/hashicorp/*"]',
        "  }",
        "  filesystem_mirror {",
        '    path = "/opt/providers"',
        '    include = ["example.com/*/*"]',
        "  }",
        "  direct {",
        '    exclude = ["registry.terraform.io/hashicorp/*", "example.com/*/*"]',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("terraformRc with credentials: sensitive, the token only a reference", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "registry_token", { type: "string", sensitive: true });
    new Environment(stack, "Env", { name: "prod", terraformRc: { credentials: [{ host: "registry.example.com", token: token.stringValue }] } });
    const v = variablesByKey(JSON.parse(Testing.synth(stack))).SCALR_TERRAFORM_RC;
    expect(v).toMatchObject({ category: "shell", sensitive: true, environment_id: expect.stringMatching(/^\$\{scalr_environment\.Env_[0-9A-F]+\.id\}$/) });
    expect(v.value).toBe('credentials "registry.example.com" {\n  token = ${replace(jsonencode(var.registry_token), "$", "\\\\u0024")}\n}\n');
  });

  test("terraformRc from a file's contents, with credentials appended; a contents reference makes it sensitive", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "registry_token", { type: "string", sensitive: true });
    new Workspace(stack, "Ws", { name: "w", environment: "env-abc123", terraformRc: { contents: 'disable_checkpoint = true\nplugin_cache_dir = "${HOME}/cache"', credentials: [{ host: "r.example.com", token: token.stringValue }] } });
    const other = newStack();
    const secret = new TerraformVariable(other, "whole_rc", { type: "string", sensitive: true });
    new Workspace(other, "Ws", { name: "w2", environment: "env-abc123", terraformRc: { contents: secret.stringValue } });
    const first = variablesByKey(JSON.parse(Testing.synth(stack))).SCALR_TERRAFORM_RC;
    const second = variablesByKey(JSON.parse(Testing.synth(other))).SCALR_TERRAFORM_RC;
    // The user's literal `${` is escaped for Terraform (`$${`); Terraform writes `${` back for Scalr.
    expect(first.value.startsWith('disable_checkpoint = true\nplugin_cache_dir = "$${HOME}/cache"\n\ncredentials "r.example.com" {')).toBe(true);
    expect(first.sensitive).toBe(true);
    expect(second).toMatchObject({ value: "${var.whole_rc}", sensitive: true });
  });

  tfTest("Terraform 1.11's CLI configuration loader accepts the rendered file, and strings round-trip", () => {
    const text = renderTerraformRc(
      rc({
        pluginCacheDir: '/var/cache/a "quoted" \\ dir ${HOME} %{x}',
        providerInstallation: [
          { method: "network_mirror", url: "https://mirror.example.com:8443/providers/", include: ["registry.terraform.io/hashicorp/*", "*/*"], exclude: ["hashicorp/aws"] },
          { method: "filesystem_mirror", path: "/opt/providers", include: ["example.com/*/*", "example.com/acme/thing"] },
          { method: "direct", exclude: ["*/*/*"] },
        ],
      }),
    );
    const problems = cliConfigProblems(text);
    // The plugin cache directory does not exist here: the loader names it, exactly as the file holds it.
    expect(problems).toContain(`The specified plugin cache dir /var/cache/a "quoted" \\ dir ${os.homedir()} %{x} cannot be opened`);
    expect(problems.replace(/[^\n]*plugin cache dir[^\n]*\n/g, "")).not.toMatch(/Error/);
  });

  tfTest("Terraform's own loader reports what the kit's rules refuse (the rules match Terraform)", () => {
    expect(cliConfigProblems('provider_installation {\n  network_mirror {\n    url = "http://m.example.com/"\n  }\n}\n')).toMatch(/must be at an https: URL/);
    expect(cliConfigProblems('provider_installation {\n  direct {\n    include = ["*/aws"]\n  }\n}\n')).toMatch(/namespace can be a wildcard only if/);
    expect(cliConfigProblems('provider_installation {\n  direct {\n    include = ["*/hashicorp/*"]\n  }\n}\n')).toMatch(/hostname can be a wildcard only if/);
    expect(cliConfigProblems('plugin_cache_dir = "/a${b"\n')).toMatch(/literal not terminated/);
    expect(cliConfigProblems(`plugin_cache_dir = ${hclString("/a${b")}\n`)).not.toMatch(/literal not terminated/);
  });

  tfTest("end to end: the synthesized template, evaluated by Terraform with a hostile token, is a CLI configuration Terraform loads", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "registry_token", { type: "string", sensitive: true });
    new Workspace(stack, "Ws", {
      name: "w",
      environment: "env-abc123",
      terraformRc: { contents: 'disable_checkpoint = true\n# a ${comment}', providerInstallation: [], credentials: [{ host: "registry.example.com", token: token.stringValue }, { host: "other.example.com:8443", token: token.stringValue }] },
    });
    const template = variablesByKey(JSON.parse(Testing.synth(stack))).SCALR_TERRAFORM_RC.value as string;
    const text = evaluateTemplate(template, { registry_token: 'ab"c\\d${e}%{f}\u00e9<x>' });
    expect(text.startsWith("disable_checkpoint = true\n# a ${comment}\n")).toBe(true);
    expect(text).toContain('token = "ab\\"c\\\\d\\u0024{e}%{f}\u00e9\\u003cx\\u003e"');
    expect(cliConfigProblems(text)).toBe("");
  }, 60_000);

  test("warns when the OIDC token expires before the run operation timeout (the workspace's or Scalr's default)", () => {
    const stack = newStack();
    new Workspace(stack, "Short", { name: "a", environment: "env-abc123", runTimeoutMinutes: 120, oidc: { expirySeconds: 3600 } });
    new Workspace(stack, "Default", { name: "b", environment: "env-abc123", oidc: { expirySeconds: 600 } });
    new Workspace(stack, "Fine", { name: "c", environment: "env-abc123", runTimeoutMinutes: 10, oidc: { expirySeconds: 600 } });
    new Environment(stack, "Env", { name: "e", oidc: { expirySeconds: 900 } });
    new Workspace(stack, "Long", { name: "d", environment: "env-abc123", oidc: { expirySeconds: 604801 } });
    const warnings = warningsOf(stack);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stack\/Short: `oidc.expirySeconds` is 3600 seconds, shorter than the workspace's run operation timeout \(`runTimeoutMinutes: 120`, 7200 seconds\)/),
        expect.stringMatching(/^stack\/Default: `oidc.expirySeconds` is 600 seconds, shorter than Scalr's default run operation timeout \(60 minutes/),
        expect.stringMatching(/^stack\/Env: `oidc.expirySeconds` is 900 seconds, shorter than Scalr's default run operation timeout/),
        expect.stringMatching(/^stack\/Long: `oidc.expirySeconds` is 604801 seconds, longer than the longest run operation timeout/),
      ]),
    );
    expect(warnings.filter((w) => w.includes("expirySeconds"))).toHaveLength(4);
  });

  describe("inheritance: the same rules as every variable", () => {
    test("fails when a workspace sets oidc.audience under an environment's final SCALR_OIDC_AUD", () => {
      const stack = newStack();
      const env = new Environment(stack, "Env", { name: "prod", variables: [{ key: "SCALR_OIDC_AUD", value: "vault", category: "shell", final: true }] });
      expect(messageOf(() => new Workspace(stack, "Ws", { name: "w", environment: env, oidc: { audience: "other" } }))).toMatch(
        /stack\/Ws\/Variable-shell-SCALR_OIDC_AUD: `key` redefines "SCALR_OIDC_AUD" \(shell\), which is final at environment scope in stack\/Env\/Variable-shell-SCALR_OIDC_AUD/,
      );
    });

    test("fails when a workspace variable redefines an environment's final typed option", () => {
      const stack = newStack();
      const env = new Environment(stack, "Env", { name: "prod", terraformRc: { pluginCacheDir: "/cache", final: true } });
      expect(messageOf(() => new Workspace(stack, "Ws", { name: "w", environment: env, variables: [{ key: "SCALR_TERRAFORM_RC", value: "", category: "shell" }] }))).toMatch(
        /redefines "SCALR_TERRAFORM_RC" \(shell\), which is final at environment scope in stack\/Env\/Variable-shell-SCALR_TERRAFORM_RC/,
      );
    });

    test("fails when an account-scope final variable is redefined by a typed option", () => {
      const stack = newStack();
      new Variable(stack, "AccountExp", { key: "SCALR_OIDC_EXP", value: "3600", category: "shell", final: true });
      expect(messageOf(() => new Environment(stack, "Env", { name: "prod", oidc: { expirySeconds: 3600 } }))).toMatch(/which is final at account scope in stack\/AccountExp/);
    });

    test("a workspace may override a non-final environment option", () => {
      const stack = newStack();
      const env = new Environment(stack, "Env", { name: "prod", oidc: { audience: "vault" } });
      expect(() => new Workspace(stack, "Ws", { name: "w", environment: env, oidc: { audience: "other" } })).not.toThrow();
    });

    test.each([
      ["oidc.audience", { oidc: { audience: "vault" } }, "SCALR_OIDC_AUD"],
      ["oidc.expirySeconds", { oidc: { expirySeconds: 3600 } }, "SCALR_OIDC_EXP"],
      ["terraformRc", { terraformRc: { pluginCacheDir: "/c" } }, "SCALR_TERRAFORM_RC"],
    ])("fails when a variable of the scope has the key %s sets", (field, options, key) => {
      const stack = newStack();
      const props = { name: "w", environment: "env-abc123", ...options, variables: [{ key: "other", value: "x" }, { key, value: "x", category: "env" as const }] } as WorkspaceProps;
      expect(messageOf(() => new Workspace(stack, "Ws", props))).toContain(`stack/Ws: \`variables[1].key\` is set by \`${field}\` at this scope: remove the variable, or drop \`${field}\`, got: "${key}"`);
      expect(messageOf(() => new Environment(newStack(), "Env", { name: "e", ...options, variables: [{ key, value: "x", category: "shell" }] }))).toContain(`\`variables[0].key\` is set by \`${field}\``);
    });

    test("a terraform variable of the same key is another key space", () => {
      expect(() => new Workspace(newStack(), "Ws", { name: "w", environment: "env-abc123", oidc: { audience: "a" }, variables: [{ key: "SCALR_OIDC_AUD", value: "x" }] })).not.toThrow();
    });
  });

  describe("bad input", () => {
    const ws = (extra: Partial<WorkspaceProps>) => () => new Workspace(newStack(), "Ws", { name: "w", environment: "env-abc123", ...extra } as WorkspaceProps);

    test.each<[string, Partial<WorkspaceProps>, string]>([
      ["a literal credentials token", { terraformRc: { credentials: [{ host: "r.example.com", token: "s3cr3t-literal-token" }] } }, "stack/Ws: `terraformRc.credentials[0].token` must be a Terraform reference (a sensitive TerraformVariable, a secret store data source's attribute, …), not a literal: the token would be written into the synthesized configuration, got: a plain string of 20 characters (value hidden)"],
      ["a network mirror over http", { terraformRc: { providerInstallation: [{ method: "network_mirror", url: "http://m.example.com/" }] } }, "stack/Ws: `terraformRc.providerInstallation[0].url` must be an https URL (Terraform refuses a network mirror at any other scheme)"],
      ["a network mirror without url", { terraformRc: { providerInstallation: [{ method: "network_mirror" }] } }, "stack/Ws: `terraformRc.providerInstallation[0].url` is required for a network_mirror (its https base URL), got: nothing"],
      ["a filesystem mirror without path", { terraformRc: { providerInstallation: [{ method: "filesystem_mirror" }] } }, "`terraformRc.providerInstallation[0].path` is required for a filesystem_mirror"],
      ["a url on direct", { terraformRc: { providerInstallation: [{ method: "direct", url: "https://m.example.com/" }] } }, "`terraformRc.providerInstallation[0].url` applies only to a network_mirror, not a direct"],
      ["an unknown method", { terraformRc: { providerInstallation: [{ method: "dev_overrides" as "direct" }] } }, "`terraformRc.providerInstallation[0].method`"],
      ["a namespace wildcard with a type", { terraformRc: { providerInstallation: [{ method: "direct", include: ["*/aws"] }] } }, '`terraformRc.providerInstallation[0].include[0]` must be a provider source pattern "[hostname/]namespace/type"'],
      ["a pattern of one segment", { terraformRc: { providerInstallation: [{ method: "direct", exclude: ["aws"] }] } }, "`terraformRc.providerInstallation[0].exclude[0]` must be a provider source pattern"],
      ["a credentials host with a scheme", { terraformRc: { credentials: [{ host: "https://r.example.com", token: "x" }] } }, "`terraformRc.credentials[0].host` must be a host name with an optional port"],
      ["two credentials for one host", { terraformRc: { credentials: [{ host: "r.example.com", token: "${var.a}" }, { host: "R.example.com", token: "${var.b}" }] } }, "`terraformRc.credentials[1].host` is already the host of terraformRc.credentials[0]: one credentials block per host"],
      ["contents with a credentials block", { terraformRc: { contents: 'credentials "r.example.com" {\n  token = "abc"\n}' } }, "`terraformRc.contents` must not hold a `credentials` or `credentials_helper` block"],
      ["contents with a quoted credentials key", { terraformRc: { contents: '"credentials" "app.terraform.io" { token = "abc" }' } }, "`terraformRc.contents` must not hold a `credentials` or `credentials_helper` block"],
      ["contents in JSON syntax with credentials", { terraformRc: { contents: '{"credentials":{"app.terraform.io":{"token":"abc"}}}' } }, "`terraformRc.contents` must not hold a `credentials` or `credentials_helper` block"],
      ["contents with a comment before the credentials block", { terraformRc: { contents: '/* c */ credentials "app.terraform.io" { token = "abc" }' } }, "`terraformRc.contents` must not hold a `credentials` or `credentials_helper` block"],
      ["a network mirror URL with credentials", { terraformRc: { providerInstallation: [{ method: "network_mirror", url: "https://u:pw@m.example.com/" }] } }, "`terraformRc.providerInstallation[0].url` must not hold credentials (user:password@)"],
      ["a plugin cache dir from a Terraform reference", { terraformRc: { pluginCacheDir: Lazy.stringValue({ produce: () => "/cache" }) } }, "`terraformRc.pluginCacheDir` must be a literal path, not a Terraform reference"],
      ["contents with typed fields", { terraformRc: { contents: "disable_checkpoint = true", pluginCacheDir: "/c" } }, "`terraformRc.contents` cannot be combined with `providerInstallation` or `pluginCacheDir`"],
      ["an empty terraformRc", { terraformRc: {} }, "stack/Ws: `terraformRc` sets nothing: give `providerInstallation`, `pluginCacheDir`, `credentials` or `contents`"],
      ["a plugin cache dir with a line break", { terraformRc: { pluginCacheDir: "/a\nb" } }, "`terraformRc.pluginCacheDir` must not contain control characters"],
      ["an empty oidc", { oidc: {} }, "stack/Ws: `oidc` sets nothing: give `audience`, `expirySeconds` or both"],
      ["an audience with ':' that is no URI", { oidc: { audience: ":vault" } }, '`oidc.audience` must be a plain string or, when it holds ":", a URI'],
      ["an audience with whitespace around", { oidc: { audience: " vault" } }, "`oidc.audience` must not start or end with whitespace"],
      ["an expiry of 0", { oidc: { expirySeconds: 0 } }, "`oidc.expirySeconds` must be a whole number from 1 to 2147483647, got: 0"],
      ["a fractional expiry", { oidc: { expirySeconds: 1.5 } }, "`oidc.expirySeconds` must be a whole number from 1 to 2147483647, got: 1.5"],
      ["an unknown field", { oidc: { audience: "a", expiry: 3 } as never }, "`oidc.expiry`"],
    ])("fails on %s", (_name, extra, message) => {
      expect(messageOf(ws(extra))).toContain(message);
    });

    test("the literal token never appears in the error", () => {
      expect(messageOf(ws({ terraformRc: { credentials: [{ host: "r.example.com", token: "s3cr3t-literal-token" }] } }))).not.toContain("s3cr3t");
      expect(messageOf(ws({ terraformRc: { contents: 'credentials "r.example.com" {\n  token = "s3cr3t-in-file"\n}' } }))).not.toContain("s3cr3t");
    });
  });

  test("existing output is unchanged when the options are unused (no new variables)", () => {
    const stack = newStack();
    new Workspace(stack, "Ws", { name: "w", environment: "env-abc123" });
    new Environment(stack, "Env", { name: "e" });
    expect(JSON.parse(Testing.synth(stack)).resource.scalr_variable).toBeUndefined();
  });
});
