#!/usr/bin/env python3
"""Writes random.inp: 250 random inputs (fixed seed) in test-tokenizer-0's framing, mixing
tokenizer-relevant fragments (contractions, digits, Unicode spaces, marks, emoji, special-token
text, Unicode 15.1 code points) with random code points and, sometimes, invalid UTF-8 bytes.
Rerun in this directory to regenerate; the llama-cpp/*.random.*.out files must then be re-recorded."""
import random

random.seed(7)
PIECES = ["Hello", " world", "'s", "'T", "'re", "'LL", " ", "  ", "\n", "\r\n", "\t", "123",
          "4567890", "\u00bd", "\u2460", "\u0663", "<s>", "</s>", "<unk>", "<|endoftext|>",
          "\U0001F999", "\U0001F636\u200d\U0001F32B\ufe0f", "\u00e9", "e\u0301", "\u65e5\u672c",
          "\u3002", "\uff0c", "$", "+", "<=", "^", "~", "|", "...", "!?", "(", ")", "\u00a0",
          "\u2003", "\u3000", "\u0085", "\u200b", "\u00df", "\u03a3", "\u03c2", "\u01c5",
          "\ufb01", "\u216b", "\u0300", "\U0002EBF0", "\U000E0001", "\ue000", "\x00", "\x7f"]
SEP = b"\n__ggml_vocab_test__\n"
cases = []
while len(cases) < 250:
    s = "".join(random.choice(PIECES) if random.random() < 0.7 else
                chr(random.choice([random.randint(32, 126), random.randint(0x80, 0x7FF),
                                   random.randint(0x800, 0xFFFF),
                                   random.randint(0x10000, 0x10FFFF)]))
                for _ in range(random.randint(0, 12)))
    s = "".join(c for c in s if not 0xD800 <= ord(c) <= 0xDFFF)
    b = s.encode("utf-8")
    if random.random() < 0.1:
        b += bytes([random.randint(0x80, 0xFF)])
    if random.random() < 0.05:
        b = bytes(random.randint(0, 255) for _ in range(random.randint(1, 8)))
    if b"__ggml_vocab_test__" not in b:
        cases.append(b)
open("random.inp", "wb").write(SEP.join(cases) + SEP)
