"""Import and export of documents with real converters: pandoc and LibreOffice (headless).

    export(document, fmt, images) -> bytes        fmt: pdf, docx, odt, md, html
    import_file(data, fmt) -> Imported            fmt: docx, odt, md, html

`exporting` and `importing` say how each keeps headings, lists, tables, images, links and page
breaks; `run` how a converter is started (no shell, a timeout, a private HOME and LibreOffice
profile). Every failure is a `ConversionError` whose message a person can read.
"""

from .exporting import EXPORT_FORMATS, Images, export
from .importing import IMPORT_FORMATS, Imported, import_file
from .run import TIMEOUT, ConversionError, converters_installed, pandoc

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "TIMEOUT",
    "ConversionError",
    "Images",
    "Imported",
    "converters_installed",
    "export",
    "import_file",
    "pandoc",
]
