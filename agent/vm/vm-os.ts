import { CloudConfigYumRepo } from "./cloud-config";

/** Operating systems the VM runtime supports, on x86_64 and arm64 alike. */
export type VmOperatingSystem = "amazon-linux-2023" | "ubuntu-22.04" | "ubuntu-24.04" | "rocky-9";

/** Every supported OS, in documentation order. */
export const VM_OPERATING_SYSTEMS: readonly VmOperatingSystem[] = ["amazon-linux-2023", "ubuntu-22.04", "ubuntu-24.04", "rocky-9"];

/** What differs between the supported operating systems. Nothing here depends on the CPU architecture. */
export interface VmOsProfile {
  /** Package family: selects the package-manager proxy mechanism. */
  readonly family: "debian" | "rhel";
  /** Packages that provide Docker (`docker` CLI at /usr/bin/docker, `docker.service`). */
  readonly dockerPackages: readonly string[];
  /** Repositories needed for `dockerPackages` (Rocky Linux ships Podman, not Docker). */
  readonly dockerRepos: Readonly<Record<string, CloudConfigYumRepo>>;
  /** Where a local CA certificate goes to join the OS trust store. */
  readonly caAnchor: string;
  /** Command that rebuilds the OS bundle from the anchors. */
  readonly caUpdate: readonly string[];
  /** The OS bundle (public CAs plus local anchors) that the agent is pointed at. */
  readonly caBundle: string;
  /** Whether Scalr published its (deprecated) agent package for this OS. */
  readonly legacyPackage: boolean;
}

const DEBIAN_TRUST = {
  // update-ca-certificates only picks up files ending in .crt.
  caAnchor: "/usr/local/share/ca-certificates/scalr-agent-ca.crt",
  caUpdate: ["update-ca-certificates"],
  caBundle: "/etc/ssl/certs/ca-certificates.crt",
} as const;

const RHEL_TRUST = {
  caAnchor: "/etc/pki/ca-trust/source/anchors/scalr-agent-ca.crt",
  caUpdate: ["update-ca-trust", "extract"],
  caBundle: "/etc/pki/tls/certs/ca-bundle.crt",
} as const;

/**
 * Per-OS facts. Docker comes from the distribution where it ships it (Amazon Linux `docker`,
 * Ubuntu `docker.io`, both signed by the distribution) and from Docker's own repository on
 * Rocky Linux, whose `$basearch` serves x86_64 and aarch64 alike.
 */
export const VM_OS_PROFILES: Readonly<Record<VmOperatingSystem, VmOsProfile>> = {
  "amazon-linux-2023": { family: "rhel", dockerPackages: ["docker"], dockerRepos: {}, ...RHEL_TRUST, legacyPackage: false },
  "ubuntu-22.04": { family: "debian", dockerPackages: ["docker.io"], dockerRepos: {}, ...DEBIAN_TRUST, legacyPackage: true },
  "ubuntu-24.04": { family: "debian", dockerPackages: ["docker.io"], dockerRepos: {}, ...DEBIAN_TRUST, legacyPackage: false },
  "rocky-9": {
    family: "rhel",
    dockerPackages: ["docker-ce", "docker-ce-cli", "containerd.io"],
    dockerRepos: {
      "docker-ce-stable": {
        name: "Docker CE Stable - $basearch",
        baseurl: "https://download.docker.com/linux/centos/$releasever/$basearch/stable",
        enabled: true,
        gpgcheck: true,
        gpgkey: "https://download.docker.com/linux/centos/gpg",
      },
    },
    ...RHEL_TRUST,
    legacyPackage: true,
  },
};
