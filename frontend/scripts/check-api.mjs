// Fails when src/api/schema.d.ts is not what openapi-typescript makes from ../openapi.yaml,
// i.e. when the API changed and `npm run gen:api` was not run (or the file was edited by hand).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const spec = join(root, "..", "openapi.yaml");
const committed = join(root, "src", "api", "schema.d.ts");
if (!existsSync(spec)) {
  console.error(`no ${spec}: the API helper commits it (\`twofa openapi > openapi.yaml\`)`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), "twofa-schema-"));
const fresh = join(scratch, "schema.d.ts");

try {
  execFileSync(join(root, "node_modules", ".bin", "openapi-typescript"), [spec, "-o", fresh], { stdio: ["ignore", "ignore", "inherit"] });
  const expected = readFileSync(fresh, "utf8");
  const actual = readFileSync(committed, "utf8");
  if (expected !== actual) {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const line = e.findIndex((text, i) => text !== a[i]);
    console.error(`src/api/schema.d.ts is out of date with openapi.yaml (first difference at line ${line + 1}).`);
    console.error(`  expected: ${e[line] ?? "<end of file>"}`);
    console.error(`  found:    ${a[line] ?? "<end of file>"}`);
    console.error("Run `npm run gen:api` in frontend/ and commit the result.");
    process.exitCode = 1;
  } else {
    console.log("src/api/schema.d.ts matches openapi.yaml");
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
