"""Each language folder gets a copy of the sitemap: Material fetches LANG/sitemap.xml for each
language a page names (rel=alternate), to match pages across languages; a missing one is a failed
request on every page."""

import gzip
from pathlib import Path


def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.current_language == i18n.default_language:
        return  # the last language's build writes the sitemap of all languages
    site = Path(config.site_dir)
    sitemap = (site / "sitemap.xml").read_bytes()
    for lang in i18n.build_languages:
        if lang != i18n.default_language:
            (site / lang).mkdir(parents=True, exist_ok=True)
            (site / lang / "sitemap.xml").write_bytes(sitemap)
            (site / lang / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap, mtime=0))
