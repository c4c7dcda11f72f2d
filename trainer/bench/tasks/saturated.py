"""The v1 toy, kept as a documented failure case: a student that never samples the right answer.

Prompt `Q x1..xn A` -> `x1..xn EOS` (identity). With the knowledge block `RULE S W` the answer is
`swap(x1)..swap(xn) EOS` (letter pairs exchanged). The base is pre-trained on identity / rule-in-context / OOD
examples only, so without the rule it puts ~all its mass on the identity answer (p ~ 1e-6 on the right first token):
reverse KL on its own samples has almost no gradient, and OPCD stalls on a mode-seeking plateau. No citation and no
raw trajectories. OOD probe: "reverse" (`REV y1..yn A` -> reversed, separate alphabet).
"""
NAME = "saturated"
PAD, EOS, Q, A, RULE, S, W, REV = range(8)
LETTERS = list(range(8, 24))
OOD_LETTERS = list(range(24, 40))
VOCAB = 40
MAX_NEW_TOKENS = 8
TOPICS = 1
OOD_PROBES = ["reverse"]
MODEL = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2}
PRETRAIN = {"steps": 1500, "batch": 64, "lr": 3e-3}


def swap(xs):
    return [LETTERS[LETTERS.index(t) ^ 1] for t in xs]


def _seq(rng, alphabet=LETTERS):
    return [rng.choice(alphabet) for _ in range(rng.randint(3, 5))]


def pretrain_example(rng):
    k = rng.random()
    if k < 0.4:
        x = _seq(rng)
        return [Q] + x + [A], x + [EOS]
    if k < 0.8:
        x = _seq(rng)
        return [RULE, S, W, Q] + x + [A], swap(x) + [EOS]
    y = _seq(rng, OOD_LETTERS)
    return [REV] + y + [A], y[::-1] + [EOS]


def main_prompt(rng, topic):
    x = _seq(rng)
    return {"student": [Q] + x + [A], "knowledge": [RULE, S, W], "key": tuple(x), "x": x}


def score(topic, prompt, response):
    return {"correct": response == swap(prompt["x"]) + [EOS], "hallucinated": False}


def ood_prompt(rng, name):
    y = _seq(rng, OOD_LETTERS)
    return {"student": [REV] + y + [A], "answer": y[::-1] + [EOS], "key": tuple(y)}


def score_ood(name, prompt, response):
    return response == prompt["answer"]
