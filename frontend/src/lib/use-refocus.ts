// Puts focus back into a field after a failed attempt, once React has re-enabled it:
// focusing straight from the error handler can run while the field is still disabled.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

export function useRefocus<T extends HTMLElement>(): [RefObject<T | null>, () => void] {
  const ref = useRef<T>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (tick > 0) ref.current?.focus();
  }, [tick]);
  const refocus = useCallback(() => setTick((n) => n + 1), []);
  return [ref, refocus];
}
