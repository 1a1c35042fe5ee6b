#!/usr/bin/env python3
"""Extract the machine facts of the ECS, SSM and CloudWatch Logs service models from botocore.

Run by hand (``python3 scripts/gen-model.py``) after upgrading botocore; the output is committed as
``src/ecs/model/{ecs,ssm,logs}.json`` and read by ``src/ecs/model/load-model.ts``.

botocore is the authority on request shapes (see DESIGN.md), but its models are mostly documentation: we keep
only what a validator or serializer needs, and only the operations Berth serves, so the files stay small and
their diffs show real API changes rather than doc edits.

Determinism: every object's keys are sorted, except two whose order carries meaning -- a structure's
``members`` (the validator walks them in that order, which is the order of the AWS docs) and a string's
``enum`` (error messages list the valid values in the model's order).
"""

import gzip
import json
import os
import sys

import botocore

# service -> (api version, operations to keep or None for all of them)
SERVICES = {
    "ecs": ("2014-11-13", None),
    "ssm": (
        "2014-11-06",
        [
            "CreateActivation",
            "DescribeActivations",
            "DeleteActivation",
            "DescribeInstanceInformation",
            "DeregisterManagedInstance",
            "AddTagsToResource",
            "RemoveTagsFromResource",
            "ListTagsForResource",
        ],
    ),
    "logs": (
        "2014-03-28",
        [
            "CreateLogGroup",
            "DeleteLogGroup",
            "CreateLogStream",
            "DeleteLogStream",
            "PutLogEvents",
            "GetLogEvents",
            "FilterLogEvents",
            "DescribeLogGroups",
            "DescribeLogStreams",
            "PutRetentionPolicy",
            "DeleteRetentionPolicy",
            "TagResource",
            "UntagResource",
            "ListTagsForResource",
            "TagLogGroup",
            "UntagLogGroup",
            "ListTagsLogGroup",
        ],
    ),
}

# Shape-level facts we keep. Beyond the obvious ones: `document` (a structure that holds arbitrary JSON),
# `union` (exactly one member may be set), `sensitive` (never echo the value in an error message) and
# `fault` (a server-side exception) change what a validator or error mapper must do, so they stay too.
SHAPE_KEYS = {
    "type",
    "members",
    "required",
    "enum",
    "min",
    "max",
    "pattern",
    "member",
    "key",
    "value",
    "exception",
    "error",
    "fault",
    "timestampFormat",
    "document",
    "union",
    "sensitive",
}
# Member-level facts we keep (the reference itself, plus a per-member timestamp format override).
MEMBER_KEYS = {"shape", "timestampFormat"}
# Keys whose value order is meaningful and must not be sorted.
ORDERED_KEYS = {"members", "enum"}


def load_service(service, version):
    base = os.path.join(os.path.dirname(botocore.__file__), "data", service, version)
    gz = os.path.join(base, "service-2.json.gz")
    if os.path.exists(gz):
        with gzip.open(gz, "rt", encoding="utf-8") as f:
            return json.load(f)
    # Older botocore releases ship the models uncompressed.
    with open(os.path.join(base, "service-2.json"), encoding="utf-8") as f:
        return json.load(f)


def ref(r):
    return {k: r[k] for k in sorted(r) if k in MEMBER_KEYS}


def slim_shape(shape):
    out = {}
    for k in sorted(shape):
        if k not in SHAPE_KEYS:
            continue
        v = shape[k]
        if k == "members":
            v = {name: ref(m) for name, m in v.items()}  # declaration order kept on purpose
        elif k in ("member", "key", "value"):
            v = ref(v)
        out[k] = v
    return out


def referenced(shape):
    """Names of the shapes a shape refers to directly."""
    names = [m["shape"] for m in shape.get("members", {}).values()]
    names += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    return names


def extract(service, version, keep_ops):
    model = load_service(service, version)
    meta = model["metadata"]
    all_ops = model["operations"]
    if keep_ops is None:
        op_names = sorted(all_ops)
    else:
        missing = [op for op in keep_ops if op not in all_ops]
        if missing:
            sys.exit(f"{service}: operations not in the botocore model: {', '.join(missing)}")
        op_names = sorted(keep_ops)

    operations = {}
    roots = []
    for name in op_names:
        op = all_ops[name]
        inp = op.get("input", {}).get("shape")
        outp = op.get("output", {}).get("shape")
        errs = sorted({e["shape"] for e in op.get("errors", [])})
        operations[name] = {"errors": errs, "input": inp, "output": outp}
        roots += [n for n in (inp, outp) if n] + errs

    # Keep only the shapes the kept operations reach.
    shapes = model["shapes"]
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(referenced(shapes[name]))

    return {
        "metadata": {
            "apiVersion": meta["apiVersion"],
            "jsonVersion": meta["jsonVersion"],
            # botocore falls back to the endpoint prefix when a model names no signing name (SSM, Logs).
            "signingName": meta.get("signingName", meta["endpointPrefix"]),
            "targetPrefix": meta["targetPrefix"],
        },
        "operations": operations,
        "shapes": {name: slim_shape(shapes[name]) for name in sorted(seen)},
    }


def dump(model):
    """One operation or shape per line: compact, yet diffs stay readable."""

    def line(obj):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def section(d):
        return "{\n" + ",\n".join(f"{line(k)}:{line(v)}" for k, v in d.items()) + "\n}"

    return (
        '{"metadata":'
        + line(model["metadata"])
        + ',\n"operations":'
        + section(model["operations"])
        + ',\n"shapes":'
        + section(model["shapes"])
        + "}\n"
    )


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "ecs", "model")
    os.makedirs(out_dir, exist_ok=True)
    for service, (version, ops) in SERVICES.items():
        model = extract(service, version, ops)
        path = os.path.normpath(os.path.join(out_dir, f"{service}.json"))
        with open(path, "w", encoding="utf-8") as f:
            f.write(dump(model))
        print(
            f"{path}: {len(model['operations'])} operations, {len(model['shapes'])} shapes"
            f" (botocore {botocore.__version__})"
        )


if __name__ == "__main__":
    main()
