"""Read officer-edited YAML files (config.yaml, report.yaml, district.yaml) keeping where each value is written, so
every problem is one InputError naming the file, the line and column (YAML's mark) and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from keystage.errors import InputError

Key = str | int  # a mapping key or a list position on the way to a value


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML file: its data and its node tree, whose marks say where each value is."""

    path: Path
    data: Any
    root: yaml.Node | None

    def error(self, keys: Sequence[Key], expected: str, at_key: bool = False) -> InputError:
        """An InputError at the value reached by `keys` (at its key with `at_key`; the nearest enclosing value that
        exists when it is absent), the key path written before `expected` ("las: expected a list ...")."""
        node, key_node = self.root, None
        for key in keys:
            found = _child(node, key)
            if found is None:
                break
            key_node, node = found
        mark = (key_node if at_key and key_node is not None else node).start_mark if node is not None else None
        where = "".join(f"[{k + 1}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")  # contacts[1].name
        line, column = (mark.line + 1, str(mark.column + 1)) if mark else (1, "1")
        return InputError(self.path, line, column, f"{where}: {expected}" if where else expected)


def _child(node: yaml.Node | None, key: Key) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of `key` in a mapping node, or (item, item) of position `key` in a sequence node."""
    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if k.value == str(key)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key], node.value[key]
    return None


def read_yaml(path: str | Path) -> YamlFile:
    """Parse a UTF-8 YAML file whose top level is a mapping (an empty file is an empty mapping)."""
    path = Path(path)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError as err:
        raise InputError(path, None, None, f"not valid UTF-8 ({err.reason} at byte {err.start}); expected a UTF-8 file") from None
    except yaml.MarkedYAMLError as err:
        mark, begun = err.problem_mark or err.context_mark, err.context_mark
        context = f"{err.context} (from line {begun.line + 1}, column {begun.column + 1})" if err.context and begun else ""
        problem = " ".join(p for p in (context, err.problem) if p)
        line, column = (mark.line + 1, str(mark.column + 1)) if mark else (None, None)
        raise InputError(path, line, column, f"not valid YAML: {problem}; expected key: value lines") from None
    except yaml.YAMLError as err:
        raise InputError(path, None, None, f"not valid YAML ({err})") from None
    doc = YamlFile(path, {} if data is None else data, root)
    if not isinstance(doc.data, dict):
        raise doc.error([], f"the file holds a {type(doc.data).__name__}; expected a mapping of key: value lines")
    return doc


def check_schema(doc: YamlFile, schema: dict[str, Any]) -> None:
    """Stop at the first value (in file order) that breaks the JSON Schema, saying what the schema expects there."""
    import jsonschema  # only a build's config needs it; standards and report files are read in every notebook

    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc.data))
    if not errors:
        return
    placed = [_placed(doc, err) for err in errors]
    raise min(placed, key=lambda e: (e.line or 0, int(e.column or 0)))


def _placed(doc: YamlFile, err: Any) -> InputError:
    """One schema violation (a jsonschema ValidationError) as an InputError at its key or value."""
    keys = list(err.absolute_path)
    schema, value = err.schema, err.instance
    if err.validator == "additionalProperties":
        unknown = sorted(k for k in value if k not in schema.get("properties", {}))[0]
        known = ", ".join(schema.get("properties", {}))
        return doc.error([*keys, unknown], f"unknown key; expected one of {known}", at_key=True)
    if err.validator == "required":
        missing = next(k for k in schema["required"] if k not in value)
        described = schema.get("properties", {}).get(missing, {}).get("description")
        return doc.error(keys, f"missing required key {missing}" + (f" ({described})" if described else ""))
    if err.validator == "type":
        return doc.error(keys, f"expected {_kind(err.validator_value)}, found {value!r}")
    if err.validator == "enum":
        return doc.error(keys, f"expected one of {', '.join(map(str, err.validator_value))}, found {value!r}")
    return doc.error(keys, f"expected {_rule(err.validator, err.validator_value)}, found {value!r}")


def _kind(types: str | list[str]) -> str:
    """JSON Schema type names as words ("integer" -> "a whole number")."""
    words = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping of key: value", "null": "nothing"}  # fmt: skip
    return " or ".join(words.get(t, t) for t in ([types] if isinstance(types, str) else types))


def _rule(validator: str, limit: object) -> str:
    """What a bound such as minimum or minItems asks for, in words."""
    words = {"minimum": "at least {}", "maximum": "at most {}", "minItems": "at least {} item(s)",
             "maxItems": "at most {} item(s)", "pattern": "text matching {}"}  # fmt: skip
    return words.get(validator, validator + " {}").format(limit)


CONFIG_SCHEMA = Path("config/schemas/config.schema.yaml")  # the workflow config's schema (the Snakefile checks it too)


def load_checked(path: str | Path, schema_path: str | Path = CONFIG_SCHEMA) -> dict[str, Any]:
    """A YAML mapping file checked against the JSON Schema (itself YAML) at `schema_path`."""
    doc = read_yaml(path)
    check_schema(doc, yaml.safe_load(Path(schema_path).read_text(encoding="utf-8")))
    return doc.data
