// Starts the real `twofa` binary on a random port with a fresh SQLite data directory.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function startServer({ binary, staticDir, env = {} }) {
  if (!existsSync(binary)) {
    throw new Error(`twofa binary not found at ${binary}: run \`cargo build -p twofa-api --features test-clock\` or set TWOFA_TEST_BIN`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), "twofa-e2e-"));
  const child = spawn(binary, ["serve"], {
    env: {
      // Only the settings below: a TWOFA_* variable left in the caller's environment (a database
      // URL, a public origin, a policy) must not change what the browser test sees.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("TWOFA_"))),
      TWOFA_BIND: "127.0.0.1:0",
      TWOFA_DATA_DIR: dataDir,
      TWOFA_STATIC_DIR: staticDir,
      TWOFA_LOG: process.env.TWOFA_LOG ?? "warn",
      // The defaults, spelled out because the lock step's wording depends on them.
      TWOFA_ACCOUNT_FAILURE_LIMIT: "10",
      TWOFA_ACCOUNT_LOCK_SECS: "300",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });

  const origin = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`twofa did not print its listening line in 30 s.\nstderr:\n${stderr}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = /twofa listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`twofa exited with ${code} before listening.\nstderr:\n${stderr}`));
    });
  });

  return {
    origin,
    stderr: () => stderr,
    /** Pins the server's clock (needs the test-clock feature): codes are then computed for this time. */
    async setClock(now) {
      const response = await fetch(`${origin}/api/__test/clock`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ now }),
      });
      if (response.status !== 204) throw new Error(`test clock: ${response.status} ${await response.text()} (is the binary built with --features test-clock?)`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
