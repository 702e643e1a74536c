import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|css|svg|json|wasm|txt|map)$/;

/**
 * Writes `.br` and `.gz` beside every compressible asset once the build is done, so the lab serves them
 * without compressing on each request (lab-server/src/ui/static-routes.ts picks the one the browser accepts).
 * Brotli at its highest quality: it costs seconds once per build and saves bytes on every first visit.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'shard-lab-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    // After the files are written, and only then: a failed build must show its own error, not a missing folder.
    writeBundle() {
      const assets = path.join(outDir, 'assets');
      for (const name of fs.readdirSync(assets)) {
        if (!COMPRESSIBLE.test(name)) continue;
        const file = path.join(assets, name);
        const data = fs.readFileSync(file);
        if (data.length < 1024) continue;
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
        );
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
      }
    },
  };
}
