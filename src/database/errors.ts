/** True when a write failed on a unique constraint (PostgreSQL 23505), e.g. two admins saving the same code at once. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return e?.code === '23505' || e?.driverError?.code === '23505';
}

/** Runs a write and turns a unique-constraint failure into the domain's "already taken" error. */
export async function failOnDuplicate<T>(work: Promise<T>, taken: () => Error): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}
