import { KitValidationError } from "../../core/validation";

/** Runs `fn`, expects a KitValidationError and returns its message. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KitValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a KitValidationError");
}
