"""The torch-free runtime (numpy + onnxruntime) against the torch model it comes from.

These need the ``train`` extra (torch, onnx), which CI installs; without it they skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TRAIN_EXTRA = "the torch reference needs the train extra: pip install -e '.[train]'"
torch = pytest.importorskip("torch", reason=TRAIN_EXTRA)
pytest.importorskip("onnx", reason=TRAIN_EXTRA)

from summarizer.entities import ModelBackend  # noqa: E402
from summarizer.ner import features  # noqa: E402
from summarizer.ner.export import ONNX_FILE, export  # noqa: E402
from summarizer.ner.infer import NerTagger, packaged_model_path  # noqa: E402
from summarizer.ner.model import ZhNerConfig, ZhNerModel, collate  # noqa: E402
from summarizer.ner.spans import chunk_text  # noqa: E402

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ner"
SEED = (FIXTURES / "seed_article.txt").read_text("utf-8")
NEWS = "上海市委书记李强在昆明会见了云南省委书记陈豪。"


@pytest.fixture(scope="module")
def float_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model with its LSTM exported as float32 ONNX (no quantization)."""
    path = tmp_path_factory.mktemp("float-ner")
    for item in packaged_model_path().iterdir():
        if item.name != ONNX_FILE:
            (path / item.name).symlink_to(item)
    export(path, int8=False)
    return path


def test_float_export_tags_every_chunk_exactly_like_torch(float_model: Path) -> None:
    chunks = [c for _, c in chunk_text(SEED)] + [NEWS]
    onnx, reference = NerTagger(float_model), NerTagger(float_model, engine="torch")
    assert onnx.tag(chunks) == reference.tag(chunks)
    seed = ModelBackend(float_model, engine="onnx").find(SEED)
    assert seed == ModelBackend(float_model, engine="torch").find(SEED)
    assert len(seed) > 40


def test_shipped_onnx_is_the_int8_export_of_the_shipped_weights(tmp_path: Path) -> None:
    shutil.copy(packaged_model_path() / "model.safetensors", tmp_path)
    rebuilt = export(tmp_path).read_bytes()
    assert rebuilt == (packaged_model_path() / ONNX_FILE).read_bytes()


def test_shipped_int8_runtime_agrees_with_torch_on_plain_news() -> None:
    spans = NerTagger().tag([NEWS])[0]
    assert {(NEWS[s.start : s.end], s.type) for s in spans} >= {("李强", "PER"), ("陈豪", "PER")}
    assert spans == NerTagger(engine="torch").tag([NEWS])[0]
    assert spans == NerTagger(engine="torch-int8").tag([NEWS])[0]


def test_packed_emissions_do_not_depend_on_padding() -> None:
    torch.manual_seed(0)
    config = ZhNerConfig(char_vocab_size=50, bigram_vocab_size=50, hidden_size=8, gazetteer_bits=9)
    model = ZhNerModel(config).eval()  # type: ignore[no-untyped-call]
    vocab = features.Vocab(["<pad>", "<unk>", *"上海市委李强在会见了"], ["<pad>", "<unk>"])
    short, long = vocab.featurize("李强在上海"), vocab.featurize("上海市委李强在上海会见了李强")
    with torch.inference_mode():
        alone = model.emissions(**{k: v for k, v in collate([short], [0]).items()
                                   if k != "attention_mask"})  # fmt: skip
        both = model.emissions(**{k: v for k, v in collate([long, short], [0, 0]).items()
                                  if k != "attention_mask"})  # fmt: skip
    assert torch.allclose(alone[0], both[1, : len(short.chars)], atol=1e-5)


def test_a_trained_directory_saved_without_onnx_says_how_to_export(tmp_path: Path) -> None:
    from summarizer.ner.infer import ModelNotFound

    for item in packaged_model_path().iterdir():
        if item.name != ONNX_FILE:
            (tmp_path / item.name).symlink_to(item)
    with pytest.raises(ModelNotFound, match=r"summarizer\.ner\.export"):
        NerTagger(tmp_path)
    assert NerTagger(tmp_path, engine="torch").tag([NEWS])[0]
