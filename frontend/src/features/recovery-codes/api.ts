// Replacing the recovery codes with a new set (the old set stops working).
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type NewCodes = paths["/api/2fa/recovery-codes"]["post"] extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export function regenerateCodes(password: string, code: string): Promise<NewCodes> {
  return unwrap(api.POST("/api/2fa/recovery-codes", { body: { password, code } }));
}
