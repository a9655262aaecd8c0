import { resolve } from "node:path";
import { defineConfig } from "vite";

/** The console: Preact with TypeScript, built into static files (see infra/console-stack.ts). */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  logLevel: "warn",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  resolve: { alias: { "@shared": resolve(import.meta.dirname, "..", "shared") } },
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    target: "es2022",
    // The map's boundaries (Natural Earth, world-atlas) are fetched as a file, not inlined.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry comments Rollup cannot place; they change nothing in the output.
      onwarn(warning, warn) {
        if (warning.code !== "INVALID_ANNOTATION") warn(warning);
      },
    },
  },
});
