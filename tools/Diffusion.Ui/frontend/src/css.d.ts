/** esbuild bundles imported CSS into main.css; to TypeScript the import is a module with nothing in it. */
declare module "*.css";
