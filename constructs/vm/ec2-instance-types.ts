/** CPU architecture of an EC2 instance type (and of the AMI it boots). */
export type Ec2Architecture = "x86_64" | "arm64";

/** What the kit knows about an instance type. */
export interface Ec2InstanceTypeInfo {
  /** Memory in MiB, as EC2 lists it (the OS sees somewhat less; the OS reserve covers that). */
  readonly memoryMiB: number;
  /** CPU architecture. */
  readonly architecture: Ec2Architecture;
}

/** Sizes and their vCPU counts (general-purpose, compute and memory families). */
const SIZES: Readonly<Record<string, number>> = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32 };
/** Families by GiB of memory per vCPU: c = 2, m = 4, r = 8 (the same in every generation listed). */
const FAMILIES: readonly (readonly [family: string, gibPerVcpu: number, architecture: Ec2Architecture])[] = [
  ...(["m5", "m5a", "m6i", "m6a", "m7i", "m7a"] as const).map((f) => [f, 4, "x86_64"] as const),
  ...(["c5", "c5a", "c6i", "c6a", "c7i", "c7a"] as const).map((f) => [f, 2, "x86_64"] as const),
  ...(["r5", "r6i", "r7i"] as const).map((f) => [f, 8, "x86_64"] as const),
  ...(["m6g", "m7g", "m8g"] as const).map((f) => [f, 4, "arm64"] as const),
  ...(["c6g", "c7g", "c8g"] as const).map((f) => [f, 2, "arm64"] as const),
  ...(["r6g", "r7g", "r8g"] as const).map((f) => [f, 8, "arm64"] as const),
];
/** Burstable families: memory by size (small and up; nano/micro cannot hold an agent and Docker). */
const BURSTABLE_MIB: Readonly<Record<string, number>> = { small: 2048, medium: 4096, large: 8192, xlarge: 16384, "2xlarge": 32768 };
const BURSTABLE: readonly (readonly [family: string, architecture: Ec2Architecture])[] = [
  ["t3", "x86_64"],
  ["t3a", "x86_64"],
  ["t4g", "arm64"],
];

/** Combinations above that EC2 does not offer (c5 jumps from 4xlarge to 9xlarge). */
const MISSING = new Set(["c5.8xlarge"]);

function buildTable(): Record<string, Ec2InstanceTypeInfo> {
  const table: Record<string, Ec2InstanceTypeInfo> = {};
  for (const [family, architecture] of BURSTABLE) {
    for (const [size, memoryMiB] of Object.entries(BURSTABLE_MIB)) table[`${family}.${size}`] = { memoryMiB, architecture };
  }
  for (const [family, gibPerVcpu, architecture] of FAMILIES) {
    for (const [size, vcpus] of Object.entries(SIZES)) {
      if (!MISSING.has(`${family}.${size}`)) table[`${family}.${size}`] = { memoryMiB: vcpus * gibPerVcpu * 1024, architecture };
    }
  }
  return table;
}

/**
 * The instance types whose memory and architecture the kit knows: burstable t3/t3a/t4g (small to
 * 2xlarge) and the general-purpose (m), compute (c) and memory (r) families of the current
 * generations, large to 8xlarge. For any other type, state its memory with `VmAgentFleet`'s
 * `instanceMemoryMiB`.
 */
export const EC2_INSTANCE_TYPES: Readonly<Record<string, Ec2InstanceTypeInfo>> = buildTable();
