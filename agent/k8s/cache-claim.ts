import { ValuesRenderer } from "./values-renderer";

/**
 * `storage.cacheClaimName`: the chart's cache volume from an existing (ReadWriteMany) claim. The
 * charts take `persistence.cache.enabled` and `persistence.cache.persistentVolumeClaim.claimName`
 * (Scalr/agent-helm charts/<chart>/values.yaml @ cf283e1). Scalr's EFS guide turns the provider
 * cache on with it ("Disabled by default since the default configuration uses an ephemeral volume",
 * charts/agent-job/values.yaml; charts/agent-job/docs/cache-persistence-efs.md @ cf283e1).
 */
export function renderCacheClaim(r: ValuesRenderer, claimName: string | undefined, providerCacheEnabled: boolean | undefined, providerCacheKey: string | undefined): void {
  if (claimName === undefined) return;
  r.set("persistence.cache.enabled", true, "storage.cacheClaimName");
  r.set("persistence.cache.persistentVolumeClaim.claimName", claimName, "storage.cacheClaimName");
  if (providerCacheEnabled === false) {
    r.fail("settings.cache.providerCacheEnabled", "must be true (or unset) with `storage.cacheClaimName`: the shared claim holds the agent's provider cache", false);
  } else if (providerCacheEnabled === undefined && providerCacheKey !== undefined) {
    r.set(providerCacheKey, true, "storage.cacheClaimName");
  }
}
