"""The MkDocs plugin: the runs' outputs, figures, explorable figures, notebooks and named results
on the pages, through the directives of docrun.directives, each block with a short provenance
caption.

A run that is missing or not fresh stops the build (run `python -m docrun run`), and so does a
claim that its run contradicts; under `mkdocs serve` the plugin re-runs what changed itself, and
on an error shows the traceback and keeps the last good page. Settings: docrun.config.
"""

import itertools
import json
import logging
import re
import sys
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from docrun import directives, render
from docrun.config import RunsConfig
from docrun.directives import DirectiveError
from docrun.explore import ExploreError
from docrun.record import Record, sha256
from docrun.runs import Runs
from docrun.sources import UserError, local_modules
from docrun.translate import TableError

log = logging.getLogger("mkdocs.plugins.docrun")
STASHED = re.compile(r"(?:<p>)?(docrun[0-9a-f]{8}x\d+)(?:</p>)?")
ASSETS = Path(__file__).parent / "assets"


class RunsPlugin(BasePlugin[RunsConfig]):
    serving = False
    runner = None  # under `mkdocs serve`: one runner, its warmed-up pool kept between rebuilds
    failed = frozenset()  # under `mkdocs serve`: (script, key) of failed runs, not retried

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    def on_config(self, config):
        self.root = Path(config.config_file_path).parent
        self.languages = languages(config)
        try:
            self.runs = Runs(self.config, self.root)
        except TableError as err:
            raise PluginError(f"docrun: {err}") from None
        for language in self.languages:
            missing = [k for k in render.STRINGS if k not in self.config.strings.get(language, {})]
            if missing:
                raise PluginError(f"docrun: strings for {language!r} lack {', '.join(missing)}")
        # i18n calls on_config again, on the same config, for each other language: add once
        watched = [str(self.root / d) for d in self.config.scripts]
        if self.serving and self.config.live:
            config.watch.extend(w for w in watched if w not in config.watch)
        if "assets/docrun/explore.css" not in config.extra_css:
            config.extra_css.append("assets/docrun/explore.css")
            script = ExtraScriptValue("assets/docrun/explore.js")
            script.defer = True  # it only listens for slider input: no reason to hold up the page
            config.extra_javascript.append(script)
        return config

    def on_pre_build(self, *, config):
        # Once per rebuild, before the default language's pages: the other languages' builds
        # that i18n nests in it show the same runs.
        if self.serving and self.config.live and page_language(config) == self.languages[0]:
            self.rerun_stale()
        self.checked = {}  # stem -> (record, problem): the runs as this build finds them

    def rerun_stale(self):
        """Run what changed since its last run; a failure is reported, the last good run kept."""
        from docrun.runner import Runner  # imports torch to ask about CUDA: serve only

        if self.runner is None:
            self.runner = Runner(self.config, self.root)
        self.runner.runs.tables = self.runs.tables  # read again by this build: edits count
        stale = {(s, k) for s, k, cached in self.runner.plan() if cached is None}
        todo = sorted(stale - self.failed)
        records = self.runner.run(todo, say=log.info)
        broken = {r.script for r in records if not r.ok}  # records come in finishing order
        # a failed run is not retried until its script (or an input) changes: its key does
        newly = {(s, k) for s, k in todo if self.runner.script_name(s) in broken}
        self.failed = (self.failed & stale) | newly
        for record in records:
            if not record.ok:  # printed, not logged: a strict build would stop at an error
                print(f"{record.script} failed ({record.status}):\n{record.log}", file=sys.stderr)

    def on_shutdown(self):
        self.runner = None

    def on_files(self, files, config):
        """The runs' figures, the downloads and the explorable assets, as ordinary files."""
        for record_path in sorted(self.runs.folder.glob("[!.]*/record.json")):  # not scratch
            run_dir = self.runs.dir(record_path.parent.name)
            record = Record.load(run_dir)
            if record is None:
                continue
            for name in record.figure_files():
                self.add(files, config, f"runs/{record.stem}/{name}", run_dir / name)
            if run_dir.notebook.exists():  # the example, its prose's values filled in
                for source in (self.root / record.script, run_dir.download):
                    name = f"{record.stem}{source.suffix}"
                    self.add(files, config, f"downloads/{name}", self.download(source, name))
        for asset in ("explore.js", "explore.css"):
            self.add(files, config, f"assets/docrun/{asset}", ASSETS / asset)
        for folder in self.config.sources:
            for path in sorted((self.root / folder).rglob("*.py")):  # stems are unique
                # written to a file: the i18n plugin reads every file's path
                page = self.runs.folder.parent / "source" / folder / f"{path.stem}.html"
                page.parent.mkdir(parents=True, exist_ok=True)
                shown = path.relative_to(self.root).as_posix()
                helpers = local_modules(path)
                page.write_text(render.source_page(path, shown, helpers), encoding="utf-8")
                self.add(files, config, f"source/{folder}/{path.stem}.html", page)
                self.add(files, config, f"source/{folder}/{path.name}", path)  # the download
        return files

    def download(self, source, name):
        """A copy of an example (.py or .ipynb) for readers, written beside the runs: quoted
        values are filled in, checked claims removed, as on the page."""
        where, language = source.name, self.languages[0]
        if source.suffix == ".ipynb":
            notebook = json.loads(source.read_text(encoding="utf-8"))
            for cell in notebook["cells"]:
                if cell["cell_type"] == "markdown":
                    cell["source"] = self.quoted("".join(cell["source"]), where, language)
            text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        else:
            text = self.quoted(source.read_text(encoding="utf-8"), where, language)
        path = self.runs.folder.parent / "downloads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def add(self, files, config, src_uri, path):
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))

    def on_page_markdown(self, markdown, *, page, config, files):
        language = page_language(config)
        self.stash, prefix = {}, sha256(page.file.src_uri)[:8]

        def raw(html):
            """A placeholder for HTML, swapped back in on_page_content."""
            token = f"docrun{prefix}x{len(self.stash)}"
            self.stash[token] = html
            return token

        where = page.file.src_uri
        # an output and a figure of one run side by side share one provenance badge, the last's
        matches = list(directives.BLOCK.finditer(markdown))
        badgeless = {
            this.start()
            for this, after in itertools.pairwise(matches)
            if {this[2], after[2]} <= {"output", "figure"}
            and this[3].split("|")[0].split()[0] == after[3].split("|")[0].split()[0]
            and not markdown[this.end() : after.start()].strip()
        }

        def expand(match):
            try:
                block = directives.block(match)
                block.text = self.quoted(block.text, where, language)  # values in alt text
                badge = match.start() not in badgeless
                text = self.block(block, page, files, raw, language, badge)
            except (DirectiveError, ExploreError) as err:
                raise PluginError(f"{where}: {err}") from None
            return "\n".join(block.indent + line if line else line for line in text.splitlines())

        return self.quoted(directives.BLOCK.sub(expand, markdown), where, language)

    def quoted(self, text, where, language):
        """text with each [[value: ...]] replaced by the result it names, and each
        [[claim: ...]] removed once checked (where: the file the text is from, for errors)."""

        def quote(match):
            try:
                ref = directives.reference(match)
                record = self.fresh_record(ref.stem, where, language)
                value = directives.lookup(record.results, ref.name)
                if ref.kind == "value":
                    return match.group("space") + directives.format_value(value, ref.spec)
            except DirectiveError as err:
                raise PluginError(f"{where}: {match.group(0)}: {err}") from None
            if value is not True:
                start = match.string.rfind("\n", 0, match.start()) + 1
                end = len(match.string) if (end := match.string.find("\n", start)) < 0 else end
                line = match.string[start:end]
                sentence = directives.sentence_around(
                    line, match.start() - start, match.end() - start
                )
                raise PluginError(
                    f"{where}: the run of {record.script} contradicts "
                    f'"{sentence}": {ref.name} is {value!r}, not true'
                )
            return ""

        return directives.INLINE.sub(quote, text)

    def on_page_content(self, html, *, page, config, files):
        return STASHED.sub(lambda m: self.stash.pop(m.group(1)), html)

    def block(self, block, page, files, raw, language, badge=True):
        """The Markdown that one block directive stands for (badge: with its run's provenance)."""
        strings = self.config.strings[language]
        record = self.fresh_record(block.stem, page.file.src_uri, language)
        run_dir = self.runs.dir(record.stem)

        def url(name):
            return built_url(files, page, f"runs/{record.stem}/{name}")

        try:
            if block.kind == "output":
                output = run_dir.output.read_text(encoding="utf-8")
                return render.output_block(record, output, strings, raw, badge)
            if block.kind == "figure":
                html = render.figure(
                    record, block.n, block.text, url, run_dir, strings, language, badge
                )
                return raw(html)
            if block.kind == "explore":
                names = self.config.names
                html = render.explorable(record, block.text, url, run_dir, strings, names, language)
                return raw(html)
            return self.notebook(record, url, page, files, language, strings, raw)
        except (ValueError, ExploreError) as err:
            raise DirectiveError(f"{record.script}: {err}") from None

    def notebook(self, record, url, page, files, language, strings, raw):
        run_dir = self.runs.dir(record.stem)
        if not run_dir.notebook.exists():
            raise ValueError("is not a notebook (it has no # %% cells)")
        data = render.load_notebook(run_dir)
        translation = None
        if language != self.languages[0]:
            source = self.root / Path(record.script).with_suffix(f".{language}.md")
            if not source.exists():
                raise ValueError(f"no {language} translation: write {source.name}")
            translation = source.read_text(encoding="utf-8")
        prose = render.prose_blocks(data, translation)
        downloads = f"{strings['download']}: " + " · ".join(
            f'<a href="{built_url(files, page, f"downloads/{name}")}" download>{name}</a>'
            for name in (f"{record.stem}.py", f"{record.stem}.ipynb")
        )
        return render.notebook(record, data, prose, url, run_dir, downloads, strings, language, raw)

    def fresh_record(self, stem, where, language):
        """The run of STEM, made from the script and its inputs as they are now, with its
        figures drawn in the page's language (where: the file that asks, for errors)."""
        where = f"{where}: "
        if stem not in self.checked:  # once per build: pages quote a run many times
            try:
                self.checked[stem] = self.runs.check(stem)
            except UserError as err:
                raise PluginError(f"docrun: {err}") from None
        record, problem = self.checked[stem]
        if problem:
            if self.serving and record and record.ok:  # the last good run stays on the page
                log.info(f"{where}{problem}; showing its last run")
                return record
            raise PluginError(f"{where}{problem}: run `python -m docrun run`")
        if language != self.languages[0] and record.figures:
            table_file = self.config.figure_text.format(language=language) or "figure_text"
            if language not in record.figure_text:
                raise PluginError(
                    f"{where}{record.script} drew no {language} figures: write {table_file}"
                )
            missing = record.untranslated(language)
            if missing:
                raise PluginError(
                    f"{where}{record.script}: figure text with no {language} translation in "
                    f"{table_file}: {', '.join(map(repr, missing))}"
                )
        return record


def languages(config):
    """The site's languages, default first: from the i18n plugin's settings when it is there."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return [config.theme.get("language") or "en"]  # MkDocs' own default language
    langs = sorted(i18n.config.languages, key=lambda lang: not lang.default)
    return [lang.locale for lang in langs]


def page_language(config):
    """The language being built: the i18n plugin sets the theme's language for each."""
    return config.theme.get("language") or languages(config)[0]


def built_url(files, page, src_uri):
    file = files.get_file_from_path(src_uri)
    if file is None:
        raise PluginError(f"{page.file.src_uri}: no built file {src_uri}")
    return get_relative_url(file.url, page.url)
