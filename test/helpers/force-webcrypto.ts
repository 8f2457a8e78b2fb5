// Setup file of the `core-webcrypto` test project: hide `process.getBuiltinModule` before the
// core loads, so it takes the WebCrypto path it uses on Bun, Deno and Workers — the core's unit
// tests then run on both crypto backends.
(process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
