// ts-jest, plus one rewrite: ES modules in node_modules (NestJS 12 ships ESM only) use import.meta.url,
// which has no meaning once compiled to CommonJS for Jest; give it the CommonJS equivalent.
const { TsJestTransformer } = require('ts-jest');

// `const require = createRequire(import.meta.url)` would redeclare CommonJS's own require.
const LOCAL_REQUIRE = /\b(?:const|let|var)\s+require\s*=\s*(?:[\w$]+\.)?createRequire\([^)]*\);?/g;
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const IMPORT_META_RESOLVE = /\bimport\.meta\.resolve\(/g;
const IMPORT_META_DIRNAME = /\bimport\.meta\.dirname\b/g;
const IMPORT_META_FILENAME = /\bimport\.meta\.filename\b/g;

class Transformer extends TsJestTransformer {
  rewrite(source, path) {
    if (!path.includes('/node_modules/') || !source.includes('import.meta')) return source;
    return source
      .replace(LOCAL_REQUIRE, '')
      .replace(IMPORT_META_URL, "require('url').pathToFileURL(__filename).href")
      .replace(IMPORT_META_RESOLVE, 'require.resolve(')
      .replace(IMPORT_META_DIRNAME, '__dirname')
      .replace(IMPORT_META_FILENAME, '__filename');
  }
  process(source, path, options) {
    return super.process(this.rewrite(source, path), path, options);
  }
  processAsync(source, path, options) {
    return super.processAsync(this.rewrite(source, path), path, options);
  }
  getCacheKey(source, path, options) {
    return super.getCacheKey(this.rewrite(source, path), path, options);
  }
}

module.exports = {
  createTransformer: (config) => new Transformer(config),
};
