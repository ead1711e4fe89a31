// Keeps the layers one-way (style guide: app → features → shared): a feature never imports
// another feature or the app, and shared code (api, components, lib) imports no feature.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** "features/session", "app", "components", … for a path under src/. */
function area(path: string): string {
  const [top, second] = relative(src, path).split("/");
  return top === "features" ? `features/${second}` : (top ?? "");
}

function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/from\s+"(\.[^"]+)"/g)].map((m) => resolve(dirname(path), m[1] ?? ""));
}

describe("import direction", () => {
  const all = files(src).filter((f) => !f.includes(`${join("src", "testing")}`));

  it("finds the source files", () => {
    expect(all.length).toBeGreaterThan(30);
  });

  it("features import neither the app nor each other; shared code imports no feature", () => {
    const wrong: string[] = [];
    for (const file of all) {
      const from = area(file);
      for (const target of imports(file)) {
        const to = area(target);
        const featureToOther = from.startsWith("features/") && (to === "app" || (to.startsWith("features/") && to !== from));
        const sharedToUpper = ["api", "components", "lib"].includes(from) && (to === "app" || to.startsWith("features/"));
        if (featureToOther || sharedToUpper) wrong.push(`${relative(src, file)} → ${relative(src, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
