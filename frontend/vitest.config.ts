import { defineConfig } from "vitest/config";

// Unit tests of the browser code (src/**/*.test.ts) in a simulated DOM; the build ignores them.
export default defineConfig({
  test: { environment: "happy-dom", include: ["src/**/*.test.ts"] },
});
