"""Finding vetted passages and turning them into cited answers.

Library objects (Chroma results, bm25s arrays, ONNX tensors) are converted to the pydantic
types in `retrieval.models` before they leave this package.
"""
