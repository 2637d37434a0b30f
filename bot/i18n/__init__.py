"""Languages: gettext catalogues per language, the person's language, admins' overrides."""

from bot.i18n.catalogue import Catalogue, Words, placeholders
from bot.i18n.languages import SUPPORTED, display_name, normalise, pick, supported_list
from bot.i18n.overrides import OverrideError, build_catalogue, export_po

__all__ = [
    "SUPPORTED",
    "Catalogue",
    "OverrideError",
    "Words",
    "build_catalogue",
    "display_name",
    "export_po",
    "normalise",
    "pick",
    "placeholders",
    "supported_list",
]
