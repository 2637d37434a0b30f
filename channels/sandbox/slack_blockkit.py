"""Block Kit as Slack validates it: sizes, counts and text object types on every surface.

Slack refuses the whole message or view when one field breaks a limit, and says where in
`response_metadata.messages` (`[ERROR] must be less than 3001 characters
[json-pointer:/blocks/0/text/text]`). Messages answer `invalid_blocks`; views answer
`invalid_arguments` with pointers under `/view`. Limits: Block Kit reference (blocks, block
elements, composition objects) and the surfaces' pages.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["MAX_BLOCKS", "validate_blocks", "validate_view"]

Surface = Literal["message", "modal", "home"]
MAX_BLOCKS: dict[Surface, int] = {"message": 50, "modal": 100, "home": 100}
BLOCK_ID = 255
ACTION_ID = 255
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLACEHOLDER = 150
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
TEXT_TYPES = ("plain_text", "mrkdwn")
ALT_TEXT = 2000
IMAGE_TITLE = 2000
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30


class _Check:
    """Collects Slack's error lines for one payload."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str, path: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{path}]")

    def length(self, value: Any, limit: int, path: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", path)

    def count(self, items: Any, limit: int, path: str) -> None:
        if isinstance(items, list) and len(items) > limit:
            self.fail(f"no more than {limit} items allowed", path)

    def text(self, obj: Any, path: str, *, limit: int, plain_only: bool = False) -> None:
        """A text object: `{"type": "plain_text"|"mrkdwn", "text": "..."}`, 1..limit long."""
        if not isinstance(obj, dict):
            self.fail("must provide an object", path)
            return
        allowed = ("plain_text",) if plain_only else TEXT_TYPES
        if obj.get("type") not in allowed:
            self.fail("must be a valid enum value", f"{path}/type")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.fail("must be more than 0 characters", f"{path}/text")
        self.length(text, limit, f"{path}/text")

    def element(self, element: Any, path: str) -> None:
        if not isinstance(element, dict):
            self.fail("must provide an object", path)
            return
        self.length(element.get("action_id"), ACTION_ID, f"{path}/action_id")
        kind = element.get("type")
        if kind == "button":
            self.text(element.get("text"), f"{path}/text", limit=BUTTON_TEXT, plain_only=True)
            self.length(element.get("value"), BUTTON_VALUE, f"{path}/value")
            self.length(element.get("url"), URL, f"{path}/url")
            if element.get("style") not in (None, "primary", "danger"):
                self.fail("must be a valid enum value", f"{path}/style")
            if "confirm" in element:
                self.confirm(element["confirm"], f"{path}/confirm")
        elif kind == "plain_text_input":
            if "placeholder" in element:
                self.text(element["placeholder"], f"{path}/placeholder", limit=PLACEHOLDER)
            if not 0 < int(element.get("max_length", 3000)) <= 3000:
                self.fail("must be between 1 and 3000", f"{path}/max_length")

    def confirm(self, dialog: Any, path: str) -> None:
        """A confirmation dialog: title, text, and the two buttons' labels, each bounded."""
        if not isinstance(dialog, dict):
            self.fail("must provide an object", path)
            return
        self.text(dialog.get("title"), f"{path}/title", limit=CONFIRM_TITLE, plain_only=True)
        self.text(dialog.get("text"), f"{path}/text", limit=CONFIRM_TEXT)
        for button in ("confirm", "deny"):
            self.text(dialog.get(button), f"{path}/{button}", limit=CONFIRM_BUTTON, plain_only=True)
        if dialog.get("style") not in (None, "primary", "danger"):
            self.fail("must be a valid enum value", f"{path}/style")

    def image(self, block: dict[str, Any], path: str) -> None:
        """An image block: alt text, and exactly one source (a URL or a Slack file)."""
        alt = block.get("alt_text")
        if not isinstance(alt, str) or not alt:
            self.fail("missing required field: alt_text", path)
        self.length(alt, ALT_TEXT, f"{path}/alt_text")
        if "title" in block:
            self.text(block["title"], f"{path}/title", limit=IMAGE_TITLE, plain_only=True)
        url, file = block.get("image_url"), block.get("slack_file")
        if (url is None) == (file is None):
            self.fail("must provide exactly one of image_url or slack_file", path)
        elif url is not None:
            self.length(url, URL, f"{path}/image_url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                self.fail("must be a valid url", f"{path}/image_url")
        elif not isinstance(file, dict) or ("url" in file) == ("id" in file):
            self.fail("invalid slack file", f"{path}/slack_file")

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict):
            self.fail("must provide an object", path)
            return
        self.length(block.get("block_id"), BLOCK_ID, f"{path}/block_id")
        kind = block.get("type")
        if kind == "section":
            self._section(block, path)
        elif kind == "header":
            self.text(block.get("text"), f"{path}/text", limit=HEADER_TEXT, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.fail("must provide an array with at least 1 item", f"{path}/elements")
                return
            self.count(elements, CONTEXT_ELEMENTS, f"{path}/elements")
            for i, item in enumerate(elements):
                if isinstance(item, dict) and item.get("type") == "image":
                    continue
                self.text(item, f"{path}/elements/{i}", limit=SECTION_TEXT)
        elif kind == "actions":
            elements = block.get("elements") or []
            self.count(elements, ACTIONS_ELEMENTS, f"{path}/elements")
            for i, item in enumerate(elements):
                self.element(item, f"{path}/elements/{i}")
        elif kind == "input":
            self.text(block.get("label"), f"{path}/label", limit=INPUT_LABEL, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], f"{path}/hint", limit=INPUT_HINT, plain_only=True)
            self.element(block.get("element"), f"{path}/element")
        elif kind == "image":
            self.image(block, path)
        elif kind not in ("divider", "rich_text", "file", "video"):
            self.fail("must be a valid enum value", f"{path}/type")

    def _section(self, block: dict[str, Any], path: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail("must provide either text or fields", path)
        if "text" in block:
            self.text(block["text"], f"{path}/text", limit=SECTION_TEXT)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not fields:
                self.fail("must provide an array with at least 1 item", f"{path}/fields")
                return
            self.count(fields, FIELDS, f"{path}/fields")
            for i, item in enumerate(fields):
                self.text(item, f"{path}/fields/{i}", limit=FIELD_TEXT)
        if "accessory" in block:
            self.element(block["accessory"], f"{path}/accessory")

    def blocks(self, blocks: Any, path: str, surface: Surface) -> None:
        if not isinstance(blocks, list):
            self.fail("must provide an array", path)
            return
        self.count(blocks, MAX_BLOCKS[surface], path)
        for i, block in enumerate(blocks):
            self.block(block, f"{path}/{i}")


def validate_blocks(
    blocks: Any, *, surface: Surface = "message", path: str = "/blocks"
) -> list[str]:
    """Slack's error lines for a `blocks` array on a surface; empty when Slack accepts it."""
    check = _Check()
    check.blocks(blocks, path, surface)
    return check.errors


def validate_view(view: Any, *, types: tuple[Surface, ...] = ("modal", "home")) -> list[str]:
    """Error lines for a modal or Home tab view (`views.open`, `views.update`, `views.publish`);
    `types` are the view types the method takes (views.publish: only `home`)."""
    check = _Check()
    if not isinstance(view, dict) or view.get("type") not in types:
        check.fail("must be a valid enum value", "/view/type")
        return check.errors
    surface: Surface = view["type"]
    if surface == "modal":
        check.text(view.get("title"), "/view/title", limit=VIEW_TITLE, plain_only=True)
        for button in ("submit", "close"):
            if button in view:
                check.text(view[button], f"/view/{button}", limit=VIEW_TITLE, plain_only=True)
    check.length(view.get("private_metadata"), PRIVATE_METADATA, "/view/private_metadata")
    check.length(view.get("callback_id"), CALLBACK_ID, "/view/callback_id")
    check.blocks(view.get("blocks"), "/view/blocks", surface)
    return check.errors
