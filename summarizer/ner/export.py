"""Write a trained model's LSTM as ONNX (``lstm.onnx``), the form inference runs.

    python -m summarizer.ner.export [--model DIR] [--float]

``summarizer.ner.train`` calls :func:`export` whenever it saves a model; this command
rebuilds the file for a directory saved before (it needs the ``onnx`` package, from the
``zhaiyao[train]`` extra; running the result needs only ``onnxruntime``). The graph is
one ONNX ``LSTM`` node, bidirectional with per-sequence lengths (so the backward
direction starts at each chunk's own last character, as PyTorch's packed sequences do);
embeddings and the CRF stay in numpy (:mod:`summarizer.ner.runtime`). By default the
LSTM weights are int8 (onnxruntime's dynamic quantization; activations stay float):
the figures for both forms are in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ONNX_FILE = "lstm.onnx"
OPSET = 17


def _iofc(m: NDArray[np.float32]) -> NDArray[np.float32]:
    """PyTorch stacks the gates i, f, g, o; ONNX wants i, o, f, c."""
    i, f, g, o = np.split(m, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def lstm_graph(weights: dict[str, NDArray[np.float32]]) -> bytes:
    """The serialized ONNX model of the trained LSTM: x (steps, batch, inputs) and
    lengths (batch,) in, y (steps, 2, batch, hidden) out."""
    from onnx import TensorProto, helper, numpy_helper

    dirs = ("l0", "l0_reverse")
    w = np.stack([_iofc(weights[f"lstm.weight_ih_{d}"]) for d in dirs])
    r = np.stack([_iofc(weights[f"lstm.weight_hh_{d}"]) for d in dirs])
    b = np.stack(
        [
            np.concatenate(
                [_iofc(weights[f"lstm.bias_ih_{d}"]), _iofc(weights[f"lstm.bias_hh_{d}"])]
            )
            for d in dirs
        ]
    )
    hidden, inputs = r.shape[2], w.shape[2]
    node = helper.make_node(
        "LSTM",
        ["x", "W", "R", "B", "lengths"],
        ["y"],
        direction="bidirectional",
        hidden_size=hidden,
    )
    graph = helper.make_graph(
        [node],
        "zhaiyao_ner_lstm",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["steps", "batch", inputs]),
            helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["steps", 2, "batch", hidden])],
        [
            numpy_helper.from_array(a.astype(np.float32), n)
            for a, n in ((w, "W"), (r, "R"), (b, "B"))
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    return bytes(model.SerializeToString())


def export(model_dir: Path, *, int8: bool = True) -> Path:
    """Write ``model_dir/lstm.onnx`` from ``model_dir/model.safetensors``."""
    from safetensors.numpy import load_file

    target = model_dir / ONNX_FILE
    graph = lstm_graph(load_file(model_dir / "model.safetensors"))
    if not int8:
        target.write_bytes(graph)
        return target
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "float.onnx"
        plain.write_bytes(graph)
        # Its advice to run shape inference first concerns convolutional models.
        logging.getLogger().setLevel(logging.ERROR)
        quantize_dynamic(plain, target, weight_type=QuantType.QInt8)
    return target


def main(argv: list[str] | None = None) -> None:
    from summarizer.ner.infer import packaged_model_path

    parser = argparse.ArgumentParser(prog="python -m summarizer.ner.export", description=__doc__)
    parser.add_argument("--model", type=Path, default=packaged_model_path())
    parser.add_argument("--float", action="store_true", help="keep float32 LSTM weights")
    args = parser.parse_args(argv)
    print(export(args.model, int8=not args.float))


if __name__ == "__main__":
    main()
