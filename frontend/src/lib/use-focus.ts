// Moves keyboard and screen-reader focus to a new step or message when it appears.
import { useEffect, useRef } from "react";

export function useFocusOnMount<T extends HTMLElement>(active = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (active) ref.current?.focus();
  }, [active]);
  return ref;
}
