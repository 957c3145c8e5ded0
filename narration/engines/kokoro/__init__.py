"""The Kokoro-82M voice family: int8 ONNX model and 54 style voices, installed per user."""
