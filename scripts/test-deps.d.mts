/** Something the tests need from Debian. */
export interface TestDep {
  /** What it is, in words. */
  name: string;
  /** The Debian package that provides it. */
  apt: string;
  /** Looks now (not cached). */
  present(): boolean;
}

export const TEST_DEPS: Record<'pythonOnnx' | 'numpy' | 'fashionMnist' | 'chromium' | 'swiftshader', TestDep>;

/** The dependencies that are missing now. */
export function missingTestDeps(): TestDep[];

/** The Debian packages that provide `deps`, each once. */
export function debianPackages(deps: TestDep[]): string[];
