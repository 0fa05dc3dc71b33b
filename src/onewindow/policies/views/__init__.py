"""The policies' pages, in modules by part."""
