// Package coverage holds the end-to-end test of the Elastic frontend through
// the whole pipeline (coverage counts against an independent count of the
// TOML threat tables). It lives apart from package elastic so that the
// elastic package's fuzz targets build without the pipeline's dependencies.
package coverage
