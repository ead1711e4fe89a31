// Vite serves the SPA; in development /api goes to a local `twofa serve`
// (http://127.0.0.1:8080, or TWOFA_DEV_API).
// The proxy keeps the browser's Host header (changeOrigin: false), so the server's
// same-origin check compares Origin with that Host and accepts the dev server's requests.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: process.env.TWOFA_DEV_API ?? "http://127.0.0.1:8080", changeOrigin: false },
    },
  },
  build: {
    target: "es2022",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
