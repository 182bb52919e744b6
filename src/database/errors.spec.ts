import { failOnDuplicate, isUniqueViolation } from './errors';

class TakenError extends Error {}

describe('unique-constraint failures', () => {
  it('recognises PostgreSQL 23505 directly or wrapped by TypeORM', () => {
    expect(isUniqueViolation({ code: '23505' })).toBe(true);
    expect(isUniqueViolation({ driverError: { code: '23505' } })).toBe(true);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });

  it('turns a duplicate into the domain error and lets other failures through', async () => {
    await expect(failOnDuplicate(Promise.reject({ code: '23505' }), () => new TakenError())).rejects.toBeInstanceOf(
      TakenError,
    );
    await expect(failOnDuplicate(Promise.reject(new Error('boom')), () => new TakenError())).rejects.toThrow('boom');
    await expect(failOnDuplicate(Promise.resolve(7), () => new TakenError())).resolves.toBe(7);
  });
});
