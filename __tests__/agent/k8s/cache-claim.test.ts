import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { chartSchemaErrors } from "../../support/helm-charts";
import { ctx, minimal, render } from "./fixtures";

describe("storage.cacheClaimName: a shared (ReadWriteMany) cache claim", () => {
  test("agent-job: the chart's cache volume from the claim, and the provider cache on; valid against the chart's schema", () => {
    const values = render({ chart: "agent-job", settings: minimal, storage: { cacheClaimName: "agent-cache-pvc" } });
    expect(values.persistence).toEqual({ cache: { enabled: true, persistentVolumeClaim: { claimName: "agent-cache-pvc" } } });
    expect((values.agent as any).providerCache).toEqual({ enabled: true });
    expect(chartSchemaErrors("agent-job", values) ?? []).toEqual([]);
  });

  test("agent-job: a size limit of the settings is kept beside it", () => {
    const values = render({ chart: "agent-job", settings: { ...minimal, cache: { providerCacheSizeLimitMiB: 40960 } }, storage: { cacheClaimName: "agent-cache-pvc" } });
    expect((values.agent as any).providerCache).toEqual({ enabled: true, sizeLimit: "40960Mi" });
  });

  test("agent-local: the claim, the provider cache left to the chart (on by default there); valid against the chart's schema", () => {
    const values = render({ chart: "agent-local", settings: minimal, storage: { cacheClaimName: "agent-cache-pvc" } });
    expect(values.persistence).toEqual({ cache: { enabled: true, persistentVolumeClaim: { claimName: "agent-cache-pvc" } } });
    expect(chartSchemaErrors("agent-local", values) ?? []).toEqual([]);
  });

  test("default: no persistence values (an emptyDir per pod)", () => {
    expect(render({ chart: "agent-job", settings: minimal }).persistence).toBeUndefined();
  });

  test("fails with the provider cache turned off, with an emptyDir size limit, with a bad name, and on agent-k8s", () => {
    const input = (extra: Partial<HelmValuesInput>): HelmValuesInput => ({ chart: "agent-job", settings: minimal, ...extra });
    expect(messageOf(() => renderHelmValues(input({ settings: { ...minimal, cache: { providerCacheEnabled: false } }, storage: { cacheClaimName: "c" } }), ctx))).toContain(
      "`settings.cache.providerCacheEnabled` must be true (or unset) with `storage.cacheClaimName`: the shared claim holds the agent's provider cache, got: false",
    );
    expect(messageOf(() => renderHelmValues(input({ storage: { cacheClaimName: "c", cacheSizeLimit: "40Gi" } }), ctx))).toContain(
      "`storage` must not set both `cacheClaimName` and `cacheSizeLimit`",
    );
    expect(messageOf(() => renderHelmValues(input({ storage: { cacheClaimName: "Agent_Cache" } }), ctx))).toContain(
      '`storage.cacheClaimName` must be a PersistentVolumeClaim name (lower-case letters, digits, \'-\', \'.\'), got: "Agent_Cache"',
    );
    expect(messageOf(() => renderHelmValues(input({ chart: "agent-k8s", storage: { cacheClaimName: "c" } }), ctx))).toContain("`storage` is not supported by agent-k8s");
  });
});
