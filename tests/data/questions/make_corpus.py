"""Writes answers_corpus.tsv: answer strings as pupils and parents type them, with what each one means."""
import random
rng = random.Random(21)
lines = []
def add(text, n, expected): lines.append(f"{text}\t{n}\t{expected}")
keys = ["ACBDA", "BBCAD", "DCBAX", "AXCDB", "CCCCC", "ABCDABCDAB", "DDBACXBADC"]
forms = [
    lambda a: " ".join(f"{i}{c}" for i, c in enumerate(a, 1)),
    lambda a: "".join(f"{i}{c.lower()}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"{i}.{c}" for i, c in enumerate(a, 1)),
    lambda a: ", ".join(f"{i}-{c}" for i, c in enumerate(a, 1)),
    lambda a: "; ".join(f"{i}:{c.lower()}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"{i}) {c}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"{i} {c}" for i, c in enumerate(a, 1)),
    lambda a: "  ".join(f"{i} . {c}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"Câu {i}: {c}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"cau{i}{c.lower()}" for i, c in enumerate(a, 1)),
    lambda a: a,
    lambda a: a.lower(),
    lambda a: " ".join(a),
    lambda a: ",".join(a.lower()),
    lambda a: ".".join(a),
    lambda a: "ĐA: " + a,
    lambda a: "Đáp án " + " ".join(f"{i}{c}" for i, c in enumerate(a, 1)),
    lambda a: "TL " + a.lower(),
    lambda a: "\n".join(f"{i}{c}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"{i}={c}" for i, c in enumerate(a, 1)),
    lambda a: "".join(f"{i}.{c}," for i, c in enumerate(a, 1)),
    lambda a: " ".join(f"{i}{c}" for i, c in reversed(list(enumerate(a, 1)))),
    lambda a: " ".join(f"0{i}{c}" if i < 10 else f"{i}{c}" for i, c in enumerate(a, 1)),
    lambda a: "１Ａ ２Ｃ" if False else " ".join(f"{chr(0xFF10 + i) if i < 10 else i}{c}" for i, c in enumerate(a, 1)),
    lambda a: " " + "  ".join(f"{i}{c}" for i, c in enumerate(a, 1)) + " .",
    lambda a: "/".join(f"{i}{c}" for i, c in enumerate(a, 1)),
    lambda a: " ".join(a[i:i+5] for i in range(0, len(a), 5)),
    lambda a: " ".join(f"{i}{c}" for i, c in enumerate(a, 1) if c != "X"),   # blanks just left out
    lambda a: "+".join(f"{i}{c}" for i, c in enumerate(a, 1)),
]
for key in keys:
    for f in forms:
        add(f(key), len(key), key)
# Vietnamese keyboard slips (Telex / VNI left on) and typing habits, by hand: (text, n, meant or ! for a hint)
by_hand = [
    ("1ÀC3B4D5A", 5, "ACBDA"),           # VNI: A then 2 -> À
    ("1A2C3B4D5À", 5, "ACBDA"),
    ("AĐBC", 5, "ADDBC"),                # Telex: DD -> Đ
    ("ÂCBD", 5, "AACBD"),                # Telex: AA -> Â
    ("ACBDÊ", 6, "ACBDEE"),
    ("BÃ", 3, "BAX"),                     # Telex: AX -> Ã (X = blank)
    ("ÃCB", 4, "!"),                      # the X may have been after A or after C: ask
    ("1Đ 2A 3C", 3, "DAC"),
    ("1 Â 2 B", 2, "AB"),
    ("ACB D", 4, "ACBD"),
    ("1A 2C 3", 3, "ACX"),
    ("1A 2 3C", 3, "AXC"),
    ("1A 3C", 3, "AXC"),
    ("1A 1A 2B", 2, "AB"),
    ("1A 1B", 2, "!"),
    ("1AB 2C", 2, "!"),
    ("1A 2C 3B 4D 5A 6C", 5, "!"),
    ("ABCDAB", 5, "!"),
    ("ABCD", 5, "!"),
    ("1A 2G", 2, "!"),
    ("ABGD", 4, "!"),
    ("1E 2A", 2, "!"),
    ("", 3, "!"),
    ("   ", 3, "!"),
    ("???", 3, "!"),
    ("dap an la", 2, "!"),
    ("con lam roi", 3, "!"),
    ("1A 2C 😀", 2, "AC"),
    ("1a,2c,3b", 3, "ACB"),
    ("1.a 2.c 3.b.", 3, "ACB"),
    ("1.A2.C3.B", 3, "ACB"),
    ("1-a 2-c 3-b", 3, "ACB"),
    ("1A,2C;3B", 3, "ACB"),
    ("cau 1 a cau 2 c cau 3 b", 3, "ACB"),
    ("Câu1A Câu2C", 2, "AC"),
    ("DA", 2, "DA"),
    ("ĐA DA", 2, "DA"),
    ("da: abc", 3, "ABC"),
    ("xxx", 3, "XXX"),
    ("1x 2x 3a", 3, "XXA"),
    ("a b c", 3, "ABC"),
    ("A, B, C, D", 4, "ABCD"),
    ("1A 2B 3C 4D 5A 6B 7C 8D 9A 10B", 10, "ABCDABCDAB"),
    ("1a2b3c4d5a6b7c8d9a10b", 10, "ABCDABCDAB"),
    ("10B 9A 8D 7C 6B 5A 4D 3C 2B 1A", 10, "ABCDABCDAB"),
    ("1A 2B 3C 4D 5A 6B 7C 8D 9A 11B", 10, "!"),
    ("0A", 3, "!"),
    ("A1 B2 C3", 3, "!"),
    ("1A2", 2, "AX"),
    ("1 A, 2 B", 2, "AB"),
    ("1.B; 2.D", 2, "BD"),
    ("1)b 2)d", 2, "BD"),
    ("1: b, 2: d", 2, "BD"),
    ("(1)B (2)D", 2, "BD"),
    ("1/b 2/d", 2, "BD"),
    ("1_b 2_d", 2, "BD"),
    ("Cau 1 B; Cau 2 D", 2, "BD"),
    ("BD", 2, "BD"),
    ("b d", 2, "BD"),
    ("b\nd", 2, "BD"),
    ("b-d", 2, "BD"),
    ("1B2Đ", 2, "BD"),
    ("1À 2B", 2, "AB"),
    ("1Á 2B", 2, "AB"),
]
for text, n, meant in by_hand:
    add(text, n, meant)
with open(__import__("pathlib").Path(__file__).with_name("answers_corpus.tsv"), "w", encoding="utf-8") as f:
    f.write("# text<TAB>items<TAB>meant: letters per item (X = blank), or ! = must get a hint, never a score\n")
    for l in lines:
        f.write(l.replace("\n", "\\n") + "\n")
print(len(lines))
