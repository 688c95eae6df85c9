"""JSON Schemas for the bodies of the 3GPP OpenAPI files, for validating what libaiotsec-sbi emits.

The OpenAPI YAML files (../shared/spec/3gpp-openapi) refer to one another with
``$ref: 'TS29571_CommonData.yaml#/components/schemas/Bytes'``. This module
builds a self-contained JSON Schema (draft 7) for one component: it loads only
the files that the component's references reach, copies each referenced schema
into ``definitions`` and rewrites every ``$ref`` to point there. Nothing else of
the files is read, so files that are not present (TS29510, TS29572, ...) are
never needed, except where a schema we validate points into one: see
``prune_missing``.

OpenAPI 3.0 keywords that JSON Schema does not know (``nullable``, ``example``,
``description``...) are ignored by the validator; the ``byte`` format (base64,
TS 29.571 ``Bytes``) is checked by :func:`format_checker`, strictly.
"""

import base64
import binascii
import copy
import os
import re

import jsonschema
import yaml


class MissingFile(Exception):
    """A $ref points into an OpenAPI file that is not present."""


class OpenApi:
    """The OpenAPI files of one directory, loaded on demand."""

    def __init__(self, directory):
        self.directory = directory
        self._docs = {}

    def doc(self, name):
        if name not in self._docs:
            path = os.path.join(self.directory, name)
            if not os.path.exists(path):
                raise MissingFile(name)
            with open(path, encoding="utf-8") as f:
                self._docs[name] = yaml.safe_load(f)
        return self._docs[name]

    @staticmethod
    def _split(ref, current):
        file_part, _, pointer = ref.partition("#")
        return (file_part or current), pointer

    def _target(self, file_name, pointer):
        node = self.doc(file_name)
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def schema(self, file_name, component, strict=False, prune_missing=False):
        """A JSON Schema for ``#/components/schemas/<component>`` of ``file_name``.

        strict: objects that list their properties get ``additionalProperties: false``
            (our bodies must not carry members the schema does not name).
        prune_missing: drop the properties whose $ref points into a file that is not
            present, instead of failing; the names dropped are in ``self.pruned``.
        """
        self.pruned = []
        defs = {}

        def key_of(file_name_, pointer):
            return re.sub(r"\.yaml$", "", file_name_) + "." + pointer.rsplit("/", 1)[-1]

        def ref_to(file_name_, ref):
            target_file, pointer = self._split(ref, file_name_)
            key = key_of(target_file, pointer)
            if key not in defs:
                defs[key] = {}  # placeholder: a schema may refer to itself
                defs[key] = visit(self._target(target_file, pointer), target_file)
            return {"$ref": "#/definitions/" + key}

        def points_to_missing(file_name_, value):
            if not (isinstance(value, dict) and "$ref" in value):
                return False
            target_file, _ = self._split(value["$ref"], file_name_)
            return not os.path.exists(os.path.join(self.directory, target_file))

        def visit(node, file_name_):
            if isinstance(node, list):
                return [visit(x, file_name_) for x in node]
            if not isinstance(node, dict):
                return node
            if "$ref" in node:
                # OpenAPI 3.0 ignores the siblings of a $ref (descriptions): so do we.
                return ref_to(file_name_, node["$ref"])
            out = {}
            for k, v in node.items():
                if k == "properties" and isinstance(v, dict):
                    props = {}
                    for name, sub in v.items():
                        if prune_missing and points_to_missing(file_name_, sub):
                            self.pruned.append(name)
                            continue
                        props[name] = visit(sub, file_name_)
                    out[k] = props
                else:
                    out[k] = visit(v, file_name_)
            if strict and "properties" in out and "additionalProperties" not in out:
                out["additionalProperties"] = False
            return out

        root = ref_to(file_name, "#/components/schemas/" + component)
        # allOf: in draft 7 the siblings of a $ref are ignored; "definitions" must not be one.
        return {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": defs,
                "allOf": [copy.deepcopy(root)]}


def format_checker():
    """Draft 7 formats plus OpenAPI's ``byte``: strict base64 (standard alphabet, padded)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("byte", raises=(binascii.Error, ValueError))
    def is_byte(value):
        if not isinstance(value, str):
            return True
        raw = base64.b64decode(value, validate=True)
        return base64.b64encode(raw).decode("ascii") == value  # canonical: no stray bits

    return checker


def validator(api, file_name, component, **kw):
    """A draft 7 validator for one component (see OpenApi.schema for the options)."""
    schema = api.schema(file_name, component, **kw)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=format_checker())
