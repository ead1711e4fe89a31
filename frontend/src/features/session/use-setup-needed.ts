// Whether first-run setup is still open, asked once per screen that offers or shows it.
import { useEffect, useState } from "react";
import { fetchSetupNeeded } from "./api";

/** `undefined` until the server answered, `null` when it could not say (the setup call itself
 * still refuses once an account exists), else whether no account exists yet. */
export function useSetupNeeded(): boolean | null | undefined {
  const [needed, setNeeded] = useState<boolean | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    fetchSetupNeeded().then(
      (value) => current && setNeeded(value),
      () => current && setNeeded(null),
    );
    return () => {
      current = false;
    };
  }, []);
  return needed;
}
